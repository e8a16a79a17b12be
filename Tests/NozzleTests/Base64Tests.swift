@testable import Nozzle
import Testing

/// Base64 as RFC 4648 spells it, which binary bodies are shown in and entity tags end with.
struct Base64Tests {
    /// RFC 4648's test vectors (section 10): every length of the last group, padding included.
    @Test func theRFCsVectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (text, encoded) in vectors {
            #expect(Base64.encode(Array(text.utf8)) == encoded, "\(text)")
        }
        #expect(Base64.encode([0x00, 0xFF, 0xFE, 0x3E, 0x3F]) == "AP/+Pj8=")
    }

    /// A limit stops the text after that many characters, at any place in a group, and writes
    /// nothing past it.
    @Test func aLimitStopsTheTextWhereItSays() {
        let bytes: [UInt8] = Array("foobar!".utf8)
        let whole = Base64.encode(bytes)
        for limit in 0...whole.utf8.count {
            var out = [UInt8](repeating: UInt8(ascii: "."), count: whole.utf8.count + 2)
            let end = bytes.withUnsafeBytes { bytes in
                out.withUnsafeMutableBufferPointer { Base64.write(bytes, into: $0, at: 1, limit: limit) }
            }
            #expect(end == 1 + limit)
            #expect(String(decoding: out, as: UTF8.self) == "." + whole.prefix(limit) + String(repeating: ".", count: whole.utf8.count + 1 - limit))
        }
    }
}
