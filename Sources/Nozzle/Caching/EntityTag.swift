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
    /// The tag Express's `etag` package makes for `body`, written straight into the string.
    static func make(_ body: [UInt8], weak: Bool) -> String {
        guard !body.isEmpty else { return weak ? #"W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk""# : #""0-2jmj7l5rSw0yVb/vlWAYkK/YBwk""# }
        let length = UInt(body.count)
        // W/, two quotes, the length in hex, a dash, and 27 of the digest's 28 base64 characters
        // (the last is padding, which Express drops).
        let count = (weak ? 2 : 0) + 2 + Digits.hexCount(length) + 1 + 27
        return SHA1.withDigest(of: body) { digest in
            String(unsafeUninitializedCapacity: count) { out in
                var index = 0
                if weak {
                    out[0] = UInt8(ascii: "W")
                    out[1] = UInt8(ascii: "/")
                    index = 2
                }
                out[index] = UInt8(ascii: "\"")
                index = Digits.writeHex(length, into: out, at: index + 1)
                out[index] = UInt8(ascii: "-")
                index = Base64.write(digest, into: out, at: index + 1, limit: 27)
                out[index] = UInt8(ascii: "\"")
                return index + 1
            }
        }
    }
}
