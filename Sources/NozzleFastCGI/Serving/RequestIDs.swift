import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Request ids unique on this machine for the life of the process: the pid and a counter, in hex.
final class RequestIDs: Sendable {
    private let counter = Atomic<Int>(0)
    /// The pid in hex and a dash, as bytes.
    private let prefix = Array((Digits.string(Int(getpid()), radix: 16) + "-").utf8)

    /// The next id, such as `1f2a-3e8`: made as one string of its bytes (one that small is kept
    /// inline, with no allocation), not joined from pieces.
    func next() -> String {
        let value = UInt(bitPattern: counter.wrappingAdd(1, ordering: .relaxed).newValue)
        return prefix.withUnsafeBufferPointer { prefix in
            String(unsafeUninitializedCapacity: prefix.count + Digits.hexCount(value)) { bytes in
                _ = bytes.initialize(from: prefix)
                return Digits.writeHex(value, into: bytes, at: prefix.count)
            }
        }
    }
}
