/// `type; name="value"; other=token`, as in Content-Type and Content-Disposition, parsed in one pass
/// over the bytes.
struct HeaderParameters {
    /// The part before the first `;`, trimmed.
    var value: String
    /// The parameters; names lower case, quoted values unescaped. The first of a repeated name wins.
    var values: [String: String]

    static func parse(_ header: String) -> HeaderParameters {
        var header = header
        return header.withUTF8 { parse($0) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> HeaderParameters {
        var index = 0
        while index < bytes.count && bytes[index] != UInt8(ascii: ";") { index += 1 }
        let value = HTTPText.trimmed(bytes, 0..<index)
        var values: [String: String] = [:]
        while index < bytes.count {
            // At a ';': skip it and the whitespace after it.
            index += 1
            while index < bytes.count, HTTPText.isWhitespace(bytes[index]) { index += 1 }
            let nameStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: ";") { index += 1 }
            let name = HTTPText.trimmed(bytes, nameStart..<index).lowercased()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            while index < bytes.count, HTTPText.isWhitespace(bytes[index]) { index += 1 }
            var parsed: String
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var unescaped: [UInt8] = []
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                    unescaped.append(bytes[index])
                    index += 1
                }
                parsed = String(decoding: unescaped, as: UTF8.self)
                while index < bytes.count, bytes[index] != UInt8(ascii: ";") { index += 1 }
            } else {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: ";") { index += 1 }
                parsed = HTTPText.trimmed(bytes, start..<index)
            }
            if !name.isEmpty, values[name] == nil { values[name] = parsed }
        }
        return HeaderParameters(value: value, values: values)
    }
}

/// Small helpers for header text as bytes.
enum HTTPText {
    /// Calls `body` with the UTF-8 bytes of `text`: a native string's own storage, with no copy of
    /// the string (which `withUTF8` needs, being mutating).
    @inline(__always)
    static func withBytes<Result>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var text = text
        return text.withUTF8(body)
    }

    /// Whether `bytes` hold a CR or an LF, or with `colonToo` a colon: what would split a header
    /// block, or a field's name from its value. Eight bytes a step: a word has a byte equal to `b`
    /// exactly when the word XOR `b` in every byte has a zero byte, which one subtraction shows.
    static func hasFieldBreak(_ bytes: UnsafeBufferPointer<UInt8>, colonToo: Bool) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101
        @inline(__always) func has(_ word: UInt64, _ byte: UInt8) -> Bool {
            let x = word ^ (ones &* UInt64(byte))
            return (x &- ones) & ~x & 0x8080_8080_8080_8080 != 0
        }
        var index = 0
        while bytes.count - index >= 8 {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if has(word, 13) || has(word, 10) || (colonToo && has(word, UInt8(ascii: ":"))) { return true }
            index += 8
        }
        while index < bytes.count {
            let byte = base[index]
            if byte == 13 || byte == 10 || (colonToo && byte == UInt8(ascii: ":")) { return true }
            index += 1
        }
        return false
    }

    /// Space or horizontal tab: the optional whitespace of HTTP fields.
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// The bytes of `range` without spaces and tabs at either end, as a string.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// The offset of the first `byte` in `text`: a scan of its contiguous UTF-8 where it has it, as a
    /// native string does, instead of a step through the view's indexes for each byte.
    static func firstOffset<Text: Collection<UInt8>>(of byte: UInt8, in text: Text) -> Int? {
        text.withContiguousStorageIfAvailable { $0.firstIndex(of: byte) }
            ?? text.firstIndex(of: byte).map { text.distance(from: text.startIndex, to: $0) }
    }

    /// Whether `text` has an ASCII lower-case letter, read as ``firstOffset(of:in:)`` reads.
    static func hasLowercase<Text: Collection<UInt8>>(_ text: Text) -> Bool {
        func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        return text.withContiguousStorageIfAvailable { $0.contains(where: isLower) } ?? text.contains(where: isLower)
    }

    /// ASCII lower case; other bytes unchanged.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
