/// SipHash-2-4 (Aumasson and Bernstein): a keyed 64-bit hash. With a secret key, a client cannot
/// choose keys that land in the same bucket of the shared rate-limit table; and unlike Swift's
/// `Hasher`, the same key gives the same hash in every process that shares the table.
struct SipHash {
    var k0: UInt64
    var k1: UInt64

    /// The hash of `bytes`.
    func hash<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var state = State(k0: k0, k1: k1)
        var word: UInt64 = 0
        var filled = 0
        for byte in bytes {
            word |= UInt64(byte) << (8 * UInt64(filled))
            filled += 1
            if filled == 8 {
                state.compress(word)
                word = 0
                filled = 0
            }
        }
        state.compress(word | UInt64(truncatingIfNeeded: bytes.count) << 56)
        return state.finish()
    }

    private struct State {
        var v0, v1, v2, v3: UInt64

        init(k0: UInt64, k1: UInt64) {
            v0 = k0 ^ 0x736f_6d65_7073_6575
            v1 = k1 ^ 0x646f_7261_6e64_6f6d
            v2 = k0 ^ 0x6c79_6765_6e65_7261
            v3 = k1 ^ 0x7465_6462_7974_6573
        }

        mutating func compress(_ message: UInt64) {
            v3 ^= message
            round()
            round()
            v0 ^= message
        }

        mutating func finish() -> UInt64 {
            v2 ^= 0xff
            for _ in 0..<4 { round() }
            return v0 ^ v1 ^ v2 ^ v3
        }

        private mutating func round() {
            v0 &+= v1; v1 = v1.rotated(13); v1 ^= v0; v0 = v0.rotated(32)
            v2 &+= v3; v3 = v3.rotated(16); v3 ^= v2
            v0 &+= v3; v3 = v3.rotated(21); v3 ^= v0
            v2 &+= v1; v1 = v1.rotated(17); v1 ^= v2; v2 = v2.rotated(32)
        }
    }
}

extension UInt64 {
    fileprivate func rotated(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
