import DequeModule
import Synchronization
#if Tracing
import Tracing
#endif

/// The work that ``Response/after(_:)`` hands over, run once the web server has the response:
/// the client never waits for it. At most ``App/maxAfterResponse`` run at once; the rest wait for
/// a slot in the order they came, and none is dropped. Each is counted (``figures``, on the status
/// page), a graceful stop waits for all of them within `--shutdown-timeout` and cancels what is
/// left past it, and an error one throws is logged with the request's id.
///
/// One per app, shared by every request of the process: ``App/afterResponse``.
public final class AfterResponseWork: Sendable {
    /// The counts, as the status page shows them.
    public struct Figures: Sendable, Equatable {
        /// Running now.
        public var running = 0
        /// Waiting for a slot.
        public var waiting = 0
        /// Ended without an error.
        public var completed = 0
        /// Ended with an error, or cancelled.
        public var failed = 0
        /// The most that run at once.
        public var limit = 0

        /// No work yet.
        public init() {}
    }

    /// One closure handed over, with the trace it continues.
    struct Item: Sendable {
        let body: @Sendable () async throws -> Void
        #if Tracing
        let context: ServiceContext?
        #endif
    }

    private struct State {
        var figures = Figures()
        /// The items waiting for a slot, in the order they came; a slot freed goes to the first.
        var queue: Deque<Int> = []
        /// Waiting items' continuations, once they wait; an item granted a slot before it waits
        /// is in `granted` instead.
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var granted: Set<Int> = []
        /// Each item's task, so that a stop past its timeout can cancel them. An item that ends
        /// before its task is stored here leaves its id in `ended` instead.
        var tasks: [Int: Task<Void, Never>] = [:]
        var ended: Set<Int> = []
        var nextID = 0
        var idle: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(limit: Int) {
        var state = State()
        state.figures.limit = limit
        self.state = Mutex(state)
    }

    /// The most that run at once: ``App/maxAfterResponse``.
    var limit: Int {
        get { state.withLock { $0.figures.limit } }
        set { state.withLock { $0.figures.limit = max(1, newValue) } }
    }

    /// The counts now.
    public var figures: Figures { state.withLock { $0.figures } }

    /// Running or waiting: what a graceful stop waits for.
    package var pending: Int { state.withLock { $0.figures.running + $0.figures.waiting } }

    /// Starts `items`, each as a task of its own: running at once while fewer than `limit` run,
    /// waiting in line otherwise. The counts change before this returns.
    func start(_ items: [Item], log: RequestLog) {
        for item in items {
            let (id, hasSlot) = state.withLock { state -> (Int, Bool) in
                state.nextID += 1
                if state.figures.running < state.figures.limit && state.queue.isEmpty {
                    state.figures.running += 1
                    return (state.nextID, true)
                }
                state.figures.waiting += 1
                state.queue.append(state.nextID)
                return (state.nextID, false)
            }
            let task = Task { await self.run(item, id: id, hasSlot: hasSlot, log: log) }
            state.withLock { state in
                if state.ended.remove(id) == nil { state.tasks[id] = task }
            }
        }
    }

    private func run(_ item: Item, id: Int, hasSlot: Bool, log: RequestLog) async {
        if !hasSlot { await waitForSlot(id) }
        defer { release(id) }
        if Task.isCancelled {
            log.warning("after-response work cancelled before it started: the server is stopping")
            state.withLock { $0.figures.failed += 1 }
            return
        }
        do {
            #if Tracing
            if let context = item.context {
                try await ServiceContext.$current.withValue(context) { try await item.body() }
            } else {
                try await item.body()
            }
            #else
            try await item.body()
            #endif
            state.withLock { $0.figures.completed += 1 }
        } catch {
            if Task.isCancelled {
                log.warning("after-response work cancelled: the server is stopping (\(error))")
            } else {
                log.error("after-response work failed: \(error)")
            }
            state.withLock { $0.figures.failed += 1 }
        }
    }

    /// Returns once the item `id` has been granted a slot.
    private func waitForSlot(_ id: Int) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.granted.remove(id) != nil { return true }
                state.waiters[id] = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Grants the first waiting item a slot (under the lock); returns its continuation if it waits.
    private static func grantNext(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        guard let next = state.queue.popFirst() else { return nil }
        state.figures.waiting -= 1
        state.figures.running += 1
        if let waiter = state.waiters.removeValue(forKey: next) { return waiter }
        state.granted.insert(next)
        return nil
    }

    /// Ends an item: its slot goes to the first one waiting, if any.
    private func release(_ id: Int) {
        let (next, idle) = state.withLock { state -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            if state.tasks.removeValue(forKey: id) == nil { state.ended.insert(id) }
            state.figures.running -= 1
            if state.figures.running < state.figures.limit, !state.queue.isEmpty { return (Self.grantNext(&state), []) }
            guard state.figures.running == 0 && state.figures.waiting == 0 else { return (nil, []) }
            defer { state.idle = [] }
            return (nil, state.idle)
        }
        next?.resume()
        for waiter in idle { waiter.resume() }
    }

    /// Cancels every item still running or waiting, as a stop past its timeout does; returns how
    /// many. Those waiting for a slot are let through, to see that they are cancelled and end.
    @discardableResult
    package func cancelAll() -> Int {
        let (tasks, waiters) = state.withLock { state in
            var waiters: [CheckedContinuation<Void, Never>] = []
            while !state.queue.isEmpty {
                if let waiter = Self.grantNext(&state) { waiters.append(waiter) }
            }
            return (Array(state.tasks.values), waiters)
        }
        for task in tasks { task.cancel() }
        for waiter in waiters { waiter.resume() }
        return tasks.count
    }

    /// Returns once nothing runs or waits: for hosts that answer one request and exit (CGI), and tests.
    public func idle() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                guard state.figures.running > 0 || state.figures.waiting > 0 else { return true }
                state.idle.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
