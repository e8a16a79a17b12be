/// Whole numbers written as ASCII digits straight into bytes: the request path writes a status, a
/// length, a request id and JSON numbers on every request, where `String(value, radix:)` goes through
/// the standard library's generic formatting and a new string each time.
package enum Digits {
    /// Appends `value` in `radix` (2 to 16, lowercase), with a `-` first when it is negative.
    package static func append(_ value: Int, radix: Int = 10, to out: inout [UInt8]) {
        withDigits(value, radix: radix) { out.append(contentsOf: $0) }
    }

    /// Calls `body` with `value` in `radix` (2 to 16, lowercase), with a `-` first when it is
    /// negative, written on the stack.
    package static func withDigits<Result>(_ value: Int, radix: Int = 10, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        precondition((2...16).contains(radix), "radix \(radix) is outside 2...16")
        // The magnitude as unsigned, so that Int.min has one.
        var rest = value.magnitude
        let base = UInt(radix)
        // 64 binary digits at most, and the sign.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65) { digits in
            var start = 65
            repeat {
                start -= 1
                digits[start] = symbol(rest % base)
                rest /= base
            } while rest > 0
            if value < 0 {
                start -= 1
                digits[start] = UInt8(ascii: "-")
            }
            return body(UnsafeBufferPointer(rebasing: digits[start..<65]))
        }
    }

    /// `value` in `radix` as a string.
    package static func string(_ value: Int, radix: Int = 10) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(20)
        append(value, radix: radix, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// How many hex digits `value` takes: 1 for 0.
    package static func hexCount(_ value: UInt) -> Int {
        max(1, (UInt.bitWidth - value.leadingZeroBitCount + 3) / 4)
    }

    /// Writes `value`'s hex digits, lowercase, ``hexCount(_:)`` of them, into `out` from `start`;
    /// returns where they end. For strings made whole in their own storage (ids, entity tags),
    /// with no array in between.
    package static func writeHex(_ value: UInt, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        let end = start + hexCount(value)
        var rest = value
        for index in (start..<end).reversed() {
            out[index] = symbol(rest & 0xF)
            rest >>= 4
        }
        return end
    }

    /// The lowercase symbol of a digit under 16.
    @inline(__always)
    private static func symbol(_ digit: UInt) -> UInt8 {
        let digit = UInt8(truncatingIfNeeded: digit)
        return digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
    }
}
