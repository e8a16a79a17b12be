@testable import Nozzle
import Testing

/// The eight-bytes-at-a-time search for bytes a JSON string must escape finds exactly what a
/// byte-by-byte search finds.
struct JSONStringBytesTests {
    /// Every byte value at every place in a word, among fillers on both sides of each threshold.
    @Test(arguments: [UInt8(ascii: "a"), 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF])
    func everyByteInEveryPlace(filler: UInt8) {
        for place in 0..<8 {
            for value in 0...255 {
                var bytes = [UInt8](repeating: filler, count: 8)
                bytes[place] = UInt8(value)
                let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                let expected = bytes.contains(where: JSONStringBytes.isSpecial)
                #expect(JSONStringBytes.hasSpecial(word) == expected, "byte \(value) at \(place) among \(filler)")
            }
        }
    }

    @Test func firstSpecialAgreesWithAByteByByteSearch() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5C, 0x5D, 0x7F, 0x80, 0xC3, 0xA9, 0xFF] + Array("abc".utf8)
        for _ in 0..<2_000 {
            let count = Int.random(in: 0..<40, using: &generator)
            // Mostly plain bytes, so that runs longer than a word occur.
            let bytes = (0..<count).map { _ in
                Int.random(in: 0..<8, using: &generator) == 0 ? alphabet.randomElement(using: &generator)! : UInt8(ascii: "x")
            }
            let start = Int.random(in: 0...count, using: &generator)
            let expected = bytes[start...].firstIndex(where: JSONStringBytes.isSpecial) ?? count
            #expect(bytes.withUnsafeBufferPointer { JSONStringBytes.firstSpecial(in: $0, from: start) } == expected, "\(bytes) from \(start)")
        }
    }

    @Test func stringsRoundTripThroughParseAndWrite() throws {
        let long = String(repeating: "plain text ", count: 20)
        for text in ["", "a", long, long + "\"" + long, "é😀" + long + "\n\t\u{01}\\", String(repeating: "\\", count: 17), "\u{7F}\u{80}"] {
            let written = JSON.string(text).text
            #expect(try JSON(parsing: written) == .string(text), "\(written)")
        }
        #expect(JSON.string("ab\"cdefghij\u{1F}k").text == #""ab\"cdefghij\u001fk""#)
        #expect(throws: JSONParseError.self) { try JSON(parsing: "\"abcdefghijklmnop\u{01}\"") }
        do {
            _ = try JSON(parsing: "\"abcdefghijklmnop\u{01}\"")
        } catch {
            #expect(error.position == 17)
            #expect(error.reason == "Unescaped control character in a string")
        }
    }
}
