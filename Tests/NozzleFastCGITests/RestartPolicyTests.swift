@testable import NozzleFastCGI
import Testing

struct RestartPolicyTests {
    @Test func firstCrashesAreReplacedAtOnce() {
        var policy = RestartPolicy()
        for second in 0..<10 {
            let decision = policy.crashed(at: Double(second) * 0.5)
            #expect(decision.delay == 0)
            #expect(!decision.brakeEngaged)
        }
    }

    @Test func manyCrashesEngageTheBrakeOnceAndSlowDownWithoutGivingUp() {
        var policy = RestartPolicy()
        var delays: [Double] = []
        var engaged: [Bool] = []
        for crash in 0..<16 {
            let decision = policy.crashed(at: Double(crash) * 0.1)
            delays.append(decision.delay)
            engaged.append(decision.brakeEngaged)
        }
        #expect(Array(delays.prefix(10)) == Array(repeating: 0, count: 10))
        // The 11th crash within 10 s engages the brake: 0.5 s, doubling to at most 5 s, never stopping.
        #expect(Array(delays.dropFirst(10)) == [0.5, 1, 2, 4, 5, 5])
        #expect(engaged.filter { $0 }.count == 1)
        #expect(engaged[10])
    }

    @Test func theBrakeReleasesWhenCrashesStop() {
        var policy = RestartPolicy()
        for crash in 0..<12 { _ = policy.crashed(at: Double(crash) * 0.1) }
        #expect(policy.braking)
        // A crash long after the last ones is replaced at once again.
        #expect(policy.crashed(at: 100).delay == 0)
        #expect(!policy.braking)
    }
}
