/// Percent-decoding for paths and form components, on bytes, in one pass.
package enum PercentDecoding {
    /// Decodes `%XX` escapes; a malformed escape is kept as written. Invalid UTF-8 is repaired.
    package static func decode(_ text: some StringProtocol, plusIsSpace: Bool = false) -> String {
        let utf8 = text.utf8
        guard utf8.contains(UInt8(ascii: "%")) || (plusIsSpace && utf8.contains(UInt8(ascii: "+"))) else {
            return String(text)
        }
        var copy = String(text)
        return copy.withUTF8 { decode($0, plusIsSpace: plusIsSpace) }
    }

    /// Decodes `%XX` escapes in UTF-8 bytes; a malformed escape is kept as written.
    package static func decode(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { output in
            var read = 0
            var written = 0
            while read < bytes.count {
                let byte = bytes[read]
                if byte == UInt8(ascii: "%"), read + 2 < bytes.count, let high = hexValue(bytes[read + 1]), let low = hexValue(bytes[read + 2]) {
                    output[written] = high << 4 | low
                    read += 3
                } else {
                    output[written] = plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte
                    read += 1
                }
                written += 1
            }
            return written
        }
    }

    /// Decodes `%XX` escapes in ISO-8859-1 text, as qs does for a form sent with
    /// `charset=iso-8859-1`: every byte, escaped or not, is the character of that code point.
    package static func decodeLatin1(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> String {
        var text = ""
        text.unicodeScalars.reserveCapacity(bytes.count)
        var read = 0
        while read < bytes.count {
            let byte = bytes[read]
            if byte == UInt8(ascii: "%"), read + 2 < bytes.count, let high = hexValue(bytes[read + 1]), let low = hexValue(bytes[read + 2]) {
                text.unicodeScalars.append(Unicode.Scalar(high << 4 | low))
                read += 3
            } else {
                text.unicodeScalars.append(Unicode.Scalar(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte))
                read += 1
            }
        }
        return text
    }

    /// Decodes `%XX` escapes as JavaScript's `decodeURIComponent` does: nil when an escape is
    /// malformed or the result is not valid UTF-8.
    package static func decodeStrictly(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.contains(UInt8(ascii: "%")) else { return String(validating: bytes, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var read = 0
        while read < bytes.count {
            if bytes[read] == UInt8(ascii: "%") {
                guard read + 2 < bytes.count, let high = hexValue(bytes[read + 1]), let low = hexValue(bytes[read + 2]) else { return nil }
                output.append(high << 4 | low)
                read += 3
            } else {
                output.append(bytes[read])
                read += 1
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    static func decodeFormComponent(_ text: some StringProtocol) -> String { decode(text, plusIsSpace: true) }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
