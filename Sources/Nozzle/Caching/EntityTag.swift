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
        let digest = SHA1.digest(body)
        let length = UInt(body.count)
        // W/, two quotes, the length in hex, a dash, and 27 of the digest's 28 base64 characters
        // (the last is padding, which Express drops).
        let count = (weak ? 2 : 0) + 2 + Digits.hexCount(length) + 1 + 27
        return String(unsafeUninitializedCapacity: count) { out in
            var index = 0
            func put(_ byte: UInt8) {
                out[index] = byte
                index += 1
            }
            if weak {
                put(UInt8(ascii: "W"))
                put(UInt8(ascii: "/"))
            }
            put(UInt8(ascii: "\""))
            index = Digits.writeHex(length, into: out, at: index)
            put(UInt8(ascii: "-"))
            var written = 0
            Base64.forEachCharacter(of: digest) { character in
                if written < 27 { put(character) }
                written += 1
            }
            put(UInt8(ascii: "\""))
            return index
        }
    }
}
