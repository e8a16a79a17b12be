import Nozzle
import NozzleTesting
import Testing

struct DigitsTests {
    /// Every radix the host writes in, at the edges of Int and around each power of the radix, against
    /// the standard library's own formatting.
    @Test(arguments: [2, 8, 10, 16])
    func digitsAreTheStandardLibrarysDigits(radix: Int) {
        var values = [0, 1, -1, Int.max, Int.min, Int.max - 1, Int.min + 1]
        var power = 1
        while power <= Int.max / radix {
            power *= radix
            values += [power - 1, power, power + 1, -power]
        }
        for value in values {
            var out: [UInt8] = Array("x".utf8)
            Digits.append(value, radix: radix, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "x" + String(value, radix: radix), "\(value) in radix \(radix)")
            #expect(Digits.string(value, radix: radix) == String(value, radix: radix))
        }
    }

    /// Hex written into a buffer, as ids and entity tags are: every width from one digit to sixteen.
    @Test func hexWrittenInPlaceIsTheStandardLibrarysHex() {
        var values: [UInt] = [0, 1, UInt.max, UInt.max - 1]
        for shift in stride(from: 4, to: UInt.bitWidth, by: 4) { values += [(1 << shift) - 1, 1 << shift, (1 << shift) + 1] }
        for value in values {
            let written = [UInt8](unsafeUninitializedCapacity: 2 + Digits.hexCount(value)) { out, count in
                out[0] = UInt8(ascii: "x")
                count = Digits.writeHex(value, into: out, at: 1)
            }
            #expect(String(decoding: written, as: UTF8.self) == "x" + String(value, radix: 16), "\(value)")
        }
    }

    /// A request known only by its REQUEST_URI (no SCRIPT_NAME) is routed on the part before the `?`,
    /// whatever characters come before or after it.
    @Test(arguments: [("/t?a=1", "/t"), ("/t", "/t"), ("/caf%C3%A9?x=é?y", "/caf%C3%A9"), ("/é?", "/é"), ("?only", "/")])
    func theRequestURIsPathEndsAtItsFirstQuestionMark(uri: String, path: String) async {
        let log = MemoryLogWriter()
        let request = Request(
            variables: CGIEnvironment(["REQUEST_METHOD": "GET", "REQUEST_URI": uri]), body: BufferedBodySource([]), id: "r1", logWriter: log)
        #expect(request.path == path)
        #expect(request.url == uri)
    }
}
