import Nozzle
import Testing

struct SHA1Tests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }

    /// FIPS 180-4's examples, through the Swift block function.
    @Test func knownDigestsInSwift() { Self.checkKnownDigests(accelerated: false) }

    /// The same, through the SHA extensions, where the processor has them.
    @Test(.enabled(if: SHA1.accelerated, "this processor has no SHA extensions"))
    func knownDigestsOnTheSHAExtensions() { Self.checkKnownDigests(accelerated: true) }

    static func checkKnownDigests(accelerated: Bool) {
        let cases: [(String, String)] = [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "a49b2446a02c645bf419f995b67091253a04a259"
            ),
            (String(repeating: "a", count: 1_000_000), "34aa973cd4c4daa4f61eeb2bdbad27316534016f"),
        ]
        for (text, digest) in cases {
            #expect(Self.hex(SHA1.digest(Array(text.utf8), accelerated: accelerated)) == digest, "\(text.prefix(20))… (\(text.utf8.count) bytes)")
        }
    }

    /// Both block functions give the same digest for every length up to five blocks and a few long
    /// random inputs.
    @Test(.enabled(if: SHA1.accelerated, "this processor has no SHA extensions"))
    func theSHAExtensionsAgreeWithTheSwiftBlockFunction() {
        var generator = SystemRandomNumberGenerator()
        var inputs = (0...320).map { length in (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        inputs += (0..<20).map { _ in (0..<Int.random(in: 1_000...100_000)).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        for input in inputs {
            #expect(SHA1.digest(input, accelerated: true) == SHA1.digest(input, accelerated: false), "\(input.count) bytes")
        }
    }
}
