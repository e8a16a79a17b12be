import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Request ids unique on this machine for the life of the process: the pid and a counter, in hex.
final class RequestIDs: Sendable {
    private let counter = Atomic<Int>(0)
    private let prefix = Digits.string(Int(getpid()), radix: 16)

    func next() -> String {
        let value = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return prefix + "-" + Digits.string(value, radix: 16)
    }
}
