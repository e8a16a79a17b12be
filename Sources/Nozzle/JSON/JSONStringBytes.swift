/// The bytes a JSON string cannot hold as they are: `"`, `\` and the control characters below
/// 0x20. Parsing a string and writing one both look for the next of them, eight bytes at a time,
/// and copy what lies before it in one go: most strings have none, and a byte-by-byte loop spent
/// about a dozen instructions on each byte of them.
enum JSONStringBytes {
    /// The index of the first byte at or after `start` that a JSON string must escape, or
    /// `bytes.count` when there is none.
    @inline(__always)
    static func firstSpecial(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        let end = bytes.count
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while end - index >= 8 {
                if hasSpecial(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { break }
                index += 8
            }
        }
        while index < end {
            if isSpecial(bytes[index]) { return index }
            index += 1
        }
        return end
    }

    @inline(__always)
    static func isSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20
    }

    /// Whether any of the eight bytes in `word` is special.
    ///
    /// `(x - 0x01…01) & ~x & 0x80…80` is non-zero exactly when some byte of `x` is zero; with 0x20
    /// in place of 0x01, when some byte is below 0x20 (a byte of 0x80 or more has its top bit
    /// cleared by `~x`). A borrow can mark a byte above a marked one, never a word with none.
    @inline(__always)
    static func hasSpecial(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let isQuote = (quote &- ones) & ~quote
        let isBackslash = (backslash &- ones) & ~backslash
        let isControl = (word &- ones &* 0x20) & ~word
        return (isQuote | isBackslash | isControl) & (ones &* 0x80) != 0
    }
}
