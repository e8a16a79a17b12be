/// The charsets the body parser reads, as body-parser's iconv-lite names them. Decoding repairs what
/// is not valid with U+FFFD, and drops a byte-order mark, as iconv-lite does.
enum Charsets {
    /// The body as a string, or nil when `charset` is not one the parser reads: UTF-8, ASCII,
    /// ISO-8859-1, and UTF-16 and UTF-32 in either byte order.
    static func decode(_ bytes: [UInt8], charset: String) -> String? {
        switch charset.lowercased() {
        case "utf-8", "utf8", "us-ascii", "ascii":
            let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            return String(decoding: bytes[start...], as: UTF8.self)
        case "iso-8859-1", "latin1", "iso8859-1", "l1", "latin-1":
            var text = ""
            text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
            return text
        case "utf-16le", "ucs-2", "ucs2": return utf16(bytes, bigEndian: false)
        case "utf-16be": return utf16(bytes, bigEndian: true)
        case "utf-16":
            if bytes.starts(with: [0xFE, 0xFF]) { return utf16(bytes, bigEndian: true) }
            if bytes.starts(with: [0xFF, 0xFE]) { return utf16(bytes, bigEndian: false) }
            return utf16(bytes, bigEndian: guessBigEndian(bytes, width: 2))
        case "utf-32le": return utf32(bytes, bigEndian: false)
        case "utf-32be": return utf32(bytes, bigEndian: true)
        case "utf-32":
            if bytes.starts(with: [0, 0, 0xFE, 0xFF]) { return utf32(bytes, bigEndian: true) }
            if bytes.starts(with: [0xFF, 0xFE, 0, 0]) { return utf32(bytes, bigEndian: false) }
            return utf32(bytes, bigEndian: guessBigEndian(bytes, width: 4))
        default:
            return nil
        }
    }

    /// Without a byte-order mark, as iconv-lite guesses: text that is mostly ASCII has its zero bytes
    /// first in big-endian order; little-endian unless the evidence says otherwise.
    static func guessBigEndian(_ bytes: [UInt8], width: Int) -> Bool {
        var leading = 0, trailing = 0
        var index = 0
        while index + width <= min(bytes.count, 128) {
            if bytes[index] == 0 && bytes[index + width - 1] != 0 { leading += 1 }
            if bytes[index] != 0 && bytes[index + width - 1] == 0 { trailing += 1 }
            index += width
        }
        return leading > trailing
    }

    static func utf16(_ bytes: [UInt8], bigEndian: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = 0
        while index + 1 < bytes.count {
            let (high, low) = bigEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
            units.append(UInt16(high) << 8 | UInt16(low))
            index += 2
        }
        if units.first == 0xFEFF { units.removeFirst() }
        var text = String(decoding: units, as: UTF16.self)
        if bytes.count % 2 == 1 { text.append("\u{FFFD}") }
        return text
    }

    static func utf32(_ bytes: [UInt8], bigEndian: Bool) -> String {
        var text = ""
        text.reserveCapacity(bytes.count / 4)
        var index = 0
        while index + 3 < bytes.count {
            let b = bigEndian ? [bytes[index], bytes[index + 1], bytes[index + 2], bytes[index + 3]] : [bytes[index + 3], bytes[index + 2], bytes[index + 1], bytes[index]]
            let value = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            if !(index == 0 && value == 0xFEFF) { text.unicodeScalars.append(Unicode.Scalar(value) ?? "\u{FFFD}") }
            index += 4
        }
        if bytes.count % 4 != 0 { text.append("\u{FFFD}") }
        return text
    }
}
