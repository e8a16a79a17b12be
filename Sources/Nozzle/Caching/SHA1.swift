import CNozzleSHA1

/// SHA-1 (FIPS 180-4), for entity tags that match Express's byte for byte.
///
/// ETags are not a security feature, and SHA-1 is what Express's `etag` package uses. It is written
/// here rather than linked from OpenSSL's libcrypto: that would put one more package on every
/// machine that builds an app, and some megabytes into every static CGI binary, for one function.
package enum SHA1 {
    /// Whether this processor has the x86 SHA extensions: the blocks then go through them
    /// (`CNozzleSHA1`), about three times as fast as the Swift below, which every other machine uses.
    package static let accelerated = nozzle_sha1_accelerated() != 0

    /// The 20-byte digest of `bytes`; `accelerated: false` uses the Swift block function even where
    /// the processor's would do (the tests compare the two).
    package static func digest(_ bytes: [UInt8], accelerated: Bool = SHA1.accelerated) -> [UInt8] {
        withDigest(of: bytes, accelerated: accelerated) { Array($0) }
    }

    /// Calls `body` with the 20-byte digest of `bytes`, kept on the stack: an entity tag reads it
    /// once, so no array is made for it. The state, the message schedule and the last blocks are
    /// all in temporary allocations, so that no closure captures a variable (whose accesses the
    /// runtime would check).
    package static func withDigest<Result>(
        of bytes: [UInt8], accelerated: Bool = SHA1.accelerated, _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 5 + 80) { words in
            // The state's five words, one after another (as the SHA extensions take them), then
            // room for the 80-word message schedule.
            let h = UnsafeMutableBufferPointer(rebasing: words[0..<5])
            let schedule = UnsafeMutableBufferPointer(rebasing: words[5..<85])
            (h[0], h[1], h[2], h[3], h[4]) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
                bytes.withUnsafeBufferPointer { input in
                    // Whole 64-byte blocks straight from the input.
                    let whole = input.count & ~63
                    if whole > 0 { compress(h, input.baseAddress!, count: whole / 64, schedule, accelerated: accelerated) }
                    // The rest, a 1 bit, zeros to 56 mod 64 bytes, and the length in bits,
                    // big-endian: one or two more blocks.
                    let rest = input.count - whole
                    let blocks = rest < 56 ? 1 : 2
                    tail.initialize(repeating: 0)
                    for index in 0..<rest { tail[index] = input[whole + index] }
                    tail[rest] = 0x80
                    let bitLength = UInt64(input.count) &* 8
                    for index in 0..<8 { tail[blocks * 64 - 1 - index] = UInt8(truncatingIfNeeded: bitLength >> UInt64(index * 8)) }
                    compress(h, UnsafePointer(tail.baseAddress!), count: blocks, schedule, accelerated: accelerated)
                }
            }
            // The five words, big-endian, one after another.
            for index in 0..<5 { h[index] = h[index].bigEndian }
            return body(UnsafeRawBufferPointer(h))
        }
    }

    /// `count` 64-byte blocks into the state `h`, through the SHA extensions or the Swift below.
    private static func compress(
        _ h: UnsafeMutableBufferPointer<UInt32>, _ blocks: UnsafePointer<UInt8>, count: Int, _ schedule: UnsafeMutableBufferPointer<UInt32>,
        accelerated: Bool
    ) {
        if accelerated {
            nozzle_sha1_compress(h.baseAddress!, blocks, count)
        } else {
            for block in 0..<count { compress(h, blocks + block * 64, schedule) }
        }
    }

    /// One 64-byte block into the state; `w` is room for the 80-word message schedule.
    private static func compress(_ h: UnsafeMutableBufferPointer<UInt32>, _ block: UnsafePointer<UInt8>, _ w: UnsafeMutableBufferPointer<UInt32>) {
        for i in 0..<16 {
            w[i] = UInt32(block[i * 4]) << 24 | UInt32(block[i * 4 + 1]) << 16 | UInt32(block[i * 4 + 2]) << 8 | UInt32(block[i * 4 + 3])
        }
        for i in 16..<80 { w[i] = rotate(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
        var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
        for i in 0..<20 {
            let temp = rotate(a, 5) &+ ((b & c) | (~b & d)) &+ e &+ 0x5A82_7999 &+ w[i]
            (e, d, c, b, a) = (d, c, rotate(b, 30), a, temp)
        }
        for i in 20..<40 {
            let temp = rotate(a, 5) &+ (b ^ c ^ d) &+ e &+ 0x6ED9_EBA1 &+ w[i]
            (e, d, c, b, a) = (d, c, rotate(b, 30), a, temp)
        }
        for i in 40..<60 {
            let temp = rotate(a, 5) &+ ((b & c) | (b & d) | (c & d)) &+ e &+ 0x8F1B_BCDC &+ w[i]
            (e, d, c, b, a) = (d, c, rotate(b, 30), a, temp)
        }
        for i in 60..<80 {
            let temp = rotate(a, 5) &+ (b ^ c ^ d) &+ e &+ 0xCA62_C1D6 &+ w[i]
            (e, d, c, b, a) = (d, c, rotate(b, 30), a, temp)
        }
        (h[0], h[1], h[2], h[3], h[4]) = (h[0] &+ a, h[1] &+ b, h[2] &+ c, h[3] &+ d, h[4] &+ e)
    }

    private static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 { value << count | value >> (32 - count) }
}
