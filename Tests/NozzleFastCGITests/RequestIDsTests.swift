#if canImport(Glibc)
import Glibc
#endif
@testable import NozzleFastCGI
import Testing

struct RequestIDsTests {
    /// The pid and a counter in hex, one number after another, across the widths of the counter's digits.
    @Test func idsAreThePidAndACountInHex() {
        let ids = RequestIDs()
        let pid = String(getpid(), radix: 16)
        for count in 1...4_100 {
            let id = ids.next()
            if id != "\(pid)-\(String(count, radix: 16))" {
                Issue.record("id \(count) is \(id)")
                return
            }
        }
    }
}
