@testable import Nozzle
import Testing

/// The check that keeps a header field from splitting the block, eight bytes at a time, against
/// the byte-by-byte rule it stands for.
struct FieldBreakTests {
    static func byteByByte(_ bytes: [UInt8], colonToo: Bool) -> Bool {
        bytes.contains { $0 == 13 || $0 == 10 || (colonToo && $0 == UInt8(ascii: ":")) }
    }

    static func check(_ bytes: [UInt8], colonToo: Bool) -> Bool {
        bytes.withUnsafeBufferPointer { HTTPText.hasFieldBreak($0, colonToo: colonToo) }
    }

    /// A CR, an LF or a colon at every place of every length up to three words and a bit, among
    /// bytes one above and one below each of them (where a subtraction that borrowed would err).
    @Test func everyBreakIsFoundWhereverItIs() {
        for length in 0...27 {
            for filler: UInt8 in [UInt8(ascii: "a"), 9, 11, 12, 14, 57, 59, 0x80, 0xFF, 0] {
                let clean = [UInt8](repeating: filler, count: length)
                for colonToo in [false, true] {
                    #expect(Self.check(clean, colonToo: colonToo) == Self.byteByByte(clean, colonToo: colonToo), "\(length) of \(filler)")
                }
                for place in 0..<length {
                    for breaking: UInt8 in [13, 10, UInt8(ascii: ":")] {
                        var bytes = clean
                        bytes[place] = breaking
                        for colonToo in [false, true] {
                            #expect(
                                Self.check(bytes, colonToo: colonToo) == Self.byteByByte(bytes, colonToo: colonToo),
                                "\(breaking) at \(place) of \(length) among \(filler), colonToo \(colonToo)")
                        }
                    }
                }
            }
        }
    }

    /// Random bytes agree with the rule too.
    @Test func randomBytesAgree() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...70, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for colonToo in [false, true] {
                #expect(Self.check(bytes, colonToo: colonToo) == Self.byteByByte(bytes, colonToo: colonToo))
            }
        }
    }
}
