import DequeModule
import Synchronization

/// The server's life as a value: how many requests are in flight, which wait for room, and when
/// a stop is complete. Events go in; what to do comes out. No I/O, no clock of its own: tests
/// drive it directly.
///
/// A request is in flight from the moment it is admitted until its task ends, whether it runs on
/// a thread or waits. At `--max-in-flight`, a request that arrives is parked (its connection stops
/// being read) and starts, in arrival order, as soon as another ends: nothing is dropped, and
/// the web server's own queue holds the rest.
struct ServerLifecycle<Waiter: AnyObject> {
    enum Phase: Equatable {
        case serving
        /// A graceful stop: no new connections; it ends when nothing is left, or at the deadline.
        case stopping(deadline: Double)
        case stopped
    }

    enum Action {
        /// Start the request that waited for room.
        case startParked(Waiter)
        /// Stop gracefully, for this reason (`--max-requests` was reached).
        case stop(reason: String)
        /// Everything is done: exit with this status. A timeout names what it left unfinished:
        /// requests, and the work they handed over with `res.after`.
        case exit(status: Int32, unfinished: Int, afterResponse: Int)
    }

    let maxInFlight: Int
    let maxRequests: Int?
    private(set) var phase = Phase.serving
    private(set) var inFlight = 0
    /// The most requests in flight at once so far.
    private(set) var mostInFlight = 0
    /// Requests whose task has ended.
    private(set) var served = 0
    private var parked = Deque<Waiter>()

    init(maxInFlight: Int, maxRequests: Int?) {
        self.maxInFlight = maxInFlight
        self.maxRequests = maxRequests
    }

    /// Requests waiting for room.
    var parkedCount: Int { parked.count }

    /// A request arrived: true when it may start now, and it counts as in flight. The host's own
    /// pages start regardless of the limit.
    mutating func admit(regardlessOfLimit: Bool = false) -> Bool {
        guard regardlessOfLimit || (inFlight < maxInFlight && parked.isEmpty) else { return false }
        inFlight += 1
        mostInFlight = max(mostInFlight, inFlight)
        return true
    }

    /// A request that was not admitted waits for room.
    mutating func park(_ waiter: Waiter) { parked.append(waiter) }

    /// A waiting request's connection went away.
    mutating func unpark(_ waiter: Waiter) { parked.removeAll { $0 === waiter } }

    /// A request's task ended: room for a parked one, and perhaps the last of `--max-requests`.
    mutating func requestEnded() -> [Action] {
        inFlight -= 1
        served += 1
        var actions: [Action] = []
        if let next = parked.popFirst() {
            inFlight += 1
            actions.append(.startParked(next))
        }
        if let maxRequests, served == maxRequests, phase == .serving {
            actions.append(.stop(reason: "served its \(maxRequests) requests (--max-requests)"))
        }
        return actions
    }

    /// Begins a graceful stop, unless one is under way; false when one was.
    mutating func stop(now: Double, timeout: Double) -> Bool {
        guard phase == .serving else { return false }
        phase = .stopping(deadline: now + timeout)
        return true
    }

    /// Checks a stop: done when no request is in flight or waiting, no connection holds it up
    /// (one that is receiving a request, has not sent its first, or is closing) and no work handed
    /// over with `res.after` is left (`afterResponse`, running or waiting), or at the deadline.
    mutating func check(now: Double, connectionsHoldingUp: Int, afterResponse: Int = 0) -> Action? {
        guard case .stopping(let deadline) = phase else { return nil }
        let unfinished = inFlight + parked.count
        if unfinished == 0 && connectionsHoldingUp == 0 && afterResponse == 0 {
            phase = .stopped
            return .exit(status: 0, unfinished: 0, afterResponse: 0)
        }
        if now > deadline {
            phase = .stopped
            return .exit(status: 0, unfinished: unfinished, afterResponse: afterResponse)
        }
        return nil
    }
}

extension ServerLifecycle: Sendable where Waiter: Sendable {}
extension ServerLifecycle.Action: Sendable where Waiter: Sendable {}

/// The server's ``ServerLifecycle`` behind its lock, shared by the parts that read it (the server,
/// and the status page's figures of this process).
final class SharedLifecycle: Sendable {
    private let state: Mutex<ServerLifecycle<FastCGIConnection>>

    init(_ lifecycle: ServerLifecycle<FastCGIConnection>) { state = Mutex(lifecycle) }

    func withLock<Result: Sendable>(_ body: (inout ServerLifecycle<FastCGIConnection>) -> Result) -> Result {
        state.withLock { body(&$0) }
    }
}
