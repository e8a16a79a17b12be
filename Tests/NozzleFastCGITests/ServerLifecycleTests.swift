@testable import NozzleFastCGI
import Testing

/// The server's life as a value: admission, parking at `--max-in-flight`, `--max-requests`, stops.
struct ServerLifecycleTests {
    final class Waiter {
        let name: String
        init(_ name: String) { self.name = name }
    }

    @Test func requestsPastTheLimitWaitAndStartInArrivalOrder() {
        var lifecycle = ServerLifecycle<Waiter>(maxInFlight: 2, maxRequests: nil)
        let admitted = [lifecycle.admit(), lifecycle.admit(), lifecycle.admit()]
        #expect(admitted == [true, true, false])
        let first = Waiter("first"), second = Waiter("second")
        lifecycle.park(first)
        lifecycle.park(second)
        // While some wait, a newcomer does not jump the queue.
        #expect(lifecycle.inFlight == 2 && lifecycle.parkedCount == 2)
        guard case .startParked(let started)? = lifecycle.requestEnded().first else {
            Issue.record("nothing started")
            return
        }
        #expect(started === first)
        #expect(lifecycle.inFlight == 2)
        let whileFull = lifecycle.admit()
        #expect(!whileFull)
        lifecycle.unpark(second)
        let ended = lifecycle.requestEnded()
        #expect(ended.isEmpty)
        let afterwards = lifecycle.admit()
        #expect(afterwards)
        #expect(lifecycle.mostInFlight == 2)
    }

    @Test func maxRequestsAsksForAStopOnce() {
        var lifecycle = ServerLifecycle<Waiter>(maxInFlight: 10, maxRequests: 3)
        var stops = 0
        for _ in 0..<5 {
            _ = lifecycle.admit()
            for case .stop(let reason) in lifecycle.requestEnded() {
                #expect(reason == "served its 3 requests (--max-requests)")
                stops += 1
            }
        }
        #expect(stops == 1)
    }

    @Test func aStopEndsWhenNothingIsLeftOrAtItsDeadline() {
        var lifecycle = ServerLifecycle<Waiter>(maxInFlight: 10, maxRequests: nil)
        _ = lifecycle.admit()
        let whileServing = lifecycle.check(now: 0, connectionsHoldingUp: 0)
        #expect(whileServing == nil)
        let stops = [lifecycle.stop(now: 100, timeout: 30), lifecycle.stop(now: 101, timeout: 30)]
        #expect(stops == [true, false])
        // A request in flight, or a connection still receiving one, holds the stop up.
        let withRequest = lifecycle.check(now: 101, connectionsHoldingUp: 0)
        #expect(withRequest == nil)
        _ = lifecycle.requestEnded()
        let withConnection = lifecycle.check(now: 102, connectionsHoldingUp: 1)
        #expect(withConnection == nil)
        // Work handed over with `res.after` holds it up too.
        let withWork = lifecycle.check(now: 103, connectionsHoldingUp: 0, afterResponse: 2)
        #expect(withWork == nil)
        guard case .exit(0, 0, 0)? = lifecycle.check(now: 103, connectionsHoldingUp: 0) else {
            Issue.record("the stop did not end")
            return
        }
        #expect(lifecycle.phase == .stopped)

        var stuck = ServerLifecycle<Waiter>(maxInFlight: 10, maxRequests: nil)
        _ = stuck.admit()
        _ = stuck.stop(now: 0, timeout: 5)
        let beforeDeadline = stuck.check(now: 4.9, connectionsHoldingUp: 0)
        #expect(beforeDeadline == nil)
        guard case .exit(0, 1, 3)? = stuck.check(now: 5.1, connectionsHoldingUp: 0, afterResponse: 3) else {
            Issue.record("the deadline did not end the stop")
            return
        }
    }
}

extension ServerLifecycle.Action: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.startParked(let a), .startParked(let b)): a === b
        case (.stop(let a), .stop(let b)): a == b
        case (.exit(let a, let b, let e), .exit(let c, let d, let f)): a == c && b == d && e == f
        default: false
        }
    }
}
