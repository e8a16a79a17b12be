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
        var tag: [UInt8] = []
        tag.reserveCapacity(48)
        if weak { tag.append(contentsOf: "W/".utf8) }
        tag.append(UInt8(ascii: "\""))
        if body.isEmpty {
            tag.append(contentsOf: "0-2jmj7l5rSw0yVb/vlWAYkK/YBwk".utf8)
        } else {
            tag.append(contentsOf: String(body.count, radix: 16).utf8)
            tag.append(UInt8(ascii: "-"))
            // 20 bytes are 28 base64 characters, the last one padding: Express keeps 27.
            Base64.append(SHA1.digest(body), to: &tag)
            tag.removeLast()
        }
        tag.append(UInt8(ascii: "\""))
        return String(decoding: tag, as: UTF8.self)
    }
}
