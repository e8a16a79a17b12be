/// The string formats a rule can ask for, each checked in one pass over the string's bytes, as
/// OpenAPI's `format` names them: what a client generated from the document, or a tester, sends as
/// valid is accepted.
enum StringFormats {
    /// `local@domain`: the local part a dot-atom of RFC 5322 (letters, digits and
    /// ``!#$%&'*+-/=?^_`{|}~``, dots between), up to 64 bytes; the domain two or more labels of
    /// letters, digits and inner hyphens, each up to 63 bytes, and not all digits at the end.
    static func isEmail(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= 254, let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return false }
        let local = bytes[..<at], domain = bytes[(at + 1)...]
        guard (1...64).contains(local.count), isDotAtom(local), isHostname(domain) else { return false }
        return true
    }

    private static let atomSpecials = Set("!#$%&'*+-/=?^_`{|}~".utf8)

    private static func isDotAtom(_ bytes: ArraySlice<UInt8>) -> Bool {
        var previousDot = true
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else if isAlphanumeric(byte) || atomSpecials.contains(byte) {
                previousDot = false
            } else {
                return false
            }
        }
        return !previousDot
    }

    private static func isHostname(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard (1...253).contains(bytes.count) else { return false }
        var labels = 0
        var length = 0
        var previous: UInt8 = UInt8(ascii: ".")
        var labelAllDigits = true
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard length > 0, previous != UInt8(ascii: "-") else { return false }
                labels += 1
                length = 0
                labelAllDigits = true
            } else if isAlphanumeric(byte) || (byte == UInt8(ascii: "-") && length > 0) {
                length += 1
                guard length <= 63 else { return false }
                if !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { labelAllDigits = false }
            } else {
                return false
            }
            previous = byte
        }
        guard length > 0, previous != UInt8(ascii: "-"), !labelAllDigits else { return false }
        return labels + 1 >= 2
    }

    /// `123e4567-e89b-12d3-a456-426614174000`, either case.
    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if !isHex(byte) {
                return false
            }
        }
        return true
    }

    /// RFC 3339's `date-time`: `2026-12-05T20:36:00Z`, `2026-12-05t20:36:00.123+01:00`, a real date
    /// (February 29 in leap years only), seconds up to 60 (a leap second).
    static func isDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 64 else { return false }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == UInt8(ascii: "-"), let month = number(5..<7), bytes[7] == UInt8(ascii: "-"),
            let day = number(8..<10), [UInt8(ascii: "T"), UInt8(ascii: "t")].contains(bytes[10]),
            let hour = number(11..<13), bytes[13] == UInt8(ascii: ":"), let minute = number(14..<16), bytes[16] == UInt8(ascii: ":"),
            let second = number(17..<19), (1...12).contains(month), hour < 24, minute < 60, second <= 60
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return false }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > start else { return false }
        }
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") { return index + 1 == bytes.count }
        guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"), index + 6 == bytes.count,
            let offsetHours = number((index + 1)..<(index + 3)), bytes[index + 3] == UInt8(ascii: ":"),
            let offsetMinutes = number((index + 4)..<(index + 6))
        else { return false }
        return offsetHours < 24 && offsetMinutes < 60
    }

    /// An absolute URI of RFC 3986: a scheme (a letter, then letters, digits, `+`, `-`, `.`), a
    /// colon, then only characters a URI may hold, `%` followed by two hex digits.
    static func isURI(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, isLetter(bytes[0]) else { return false }
        for byte in bytes[1..<colon] where !(isAlphanumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")) {
            return false
        }
        var index = colon + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else { return false }
                index += 3
                continue
            }
            guard isAlphanumeric(byte) || uriSymbols.contains(byte) else { return false }
            index += 1
        }
        return true
    }

    /// RFC 3986's unreserved and reserved characters, but for `%`.
    private static let uriSymbols = Set("-._~:/?#[]@!$&'()*+,;=".utf8)

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
