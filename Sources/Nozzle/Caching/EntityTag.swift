/// How `res.send` and `res.json` tag what they send, app-wide: ``App/etag``.
///
/// Express's default is weak; `app.set('etag', false)` turns it off and `'strong'` makes it strong.
public enum ETagMode: Sendable {
    /// `W/"<length in hex>-<SHA-1 in base64, 27 characters>"`, as Express's default.
    case weak
    /// The same without `W/`.
    case strong
    /// No automatic ETag.
    case off
}

enum EntityTag {
    /// The tag Express's `etag` package makes for `body`.
    static func make(_ body: [UInt8], weak: Bool) -> String {
        let tag: String
        if body.isEmpty {
            tag = "\"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk\""
        } else {
            let hash = Base64.encode(SHA1.digest(body)).prefix(27)
            tag = "\"" + String(body.count, radix: 16) + "-" + hash + "\""
        }
        return weak ? "W/" + tag : tag
    }
}
