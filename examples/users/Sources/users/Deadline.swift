import Synchronization

/// The database gave no answer within its timeout.
struct DeadlinePassed: Error, CustomStringConvertible {
    var timeout: Duration
    var description: String { "no answer within \(timeout)" }
}

/// Runs `operation`, giving up after `timeout` with ``DeadlinePassed``: the operation is cancelled,
/// but not waited for. A query on a connection whose host vanished may not notice its cancellation
/// until TCP gives up, minutes later; the request does not wait that long.
///
/// The deadline is kept by ``Deadlines``, one task for the process, not by a timer task per call.
func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let work = Task {
                do {
                    outcome.settle(.success(try await operation()))
                } catch {
                    outcome.settle(.failure(error))
                }
            }
            let deadline = Deadlines.shared.add(at: .now + timeout) {
                outcome.settle(.failure(DeadlinePassed(timeout: timeout)))
            }
            outcome.wait(continuation) {
                work.cancel()
                Deadlines.shared.remove(deadline)
            }
        }
    } onCancel: {
        outcome.settle(.failure(CancellationError()))
    }
}

/// The deadlines of the calls in progress, for the whole process: one task looks at them every
/// ``resolution`` while there are any, and sleeps otherwise, where a timer task per call would cost
/// each query a task of its own and a timer to set and cancel.
///
/// The deadlines are a binary min-heap on their time. A call that ends only removes its entry from
/// `expiries`, and its place in the heap goes when its time comes, so that ending costs no search:
/// the heap holds at most the calls of the last timeout's length.
final class Deadlines: Sendable {
    static let shared = Deadlines()
    /// How late a deadline may be noticed.
    static let resolution = Duration.milliseconds(50)

    private struct State {
        var expiries: [UInt64: @Sendable () -> Void] = [:]
        var heap = DeadlineHeap()
        var lastID: UInt64 = 0
        var watching = false
    }

    private let state = Mutex(State())

    /// Calls `expire` at `deadline` (within ``resolution``) unless ``remove(_:)`` comes first.
    func add(at deadline: ContinuousClock.Instant, _ expire: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, startWatching) = state.withLock { state -> (UInt64, Bool) in
            state.lastID += 1
            state.expiries[state.lastID] = expire
            state.heap.insert(id: state.lastID, at: deadline)
            defer { state.watching = true }
            return (state.lastID, !state.watching)
        }
        if startWatching { Task.detached { await self.watch() } }
        return id
    }

    func remove(_ id: UInt64) {
        _ = state.withLock { $0.expiries.removeValue(forKey: id) }
    }

    /// Deadlines not yet passed or removed, for tests.
    var pending: Int { state.withLock { $0.expiries.count } }

    private func watch() async {
        while true {
            try? await Task.sleep(for: Self.resolution)
            let now = ContinuousClock.now
            let (due, done) = state.withLock { state -> ([@Sendable () -> Void], Bool) in
                var due: [@Sendable () -> Void] = []
                while let first = state.heap.first, first.at <= now {
                    state.heap.removeFirst()
                    if let expire = state.expiries.removeValue(forKey: first.id) { due.append(expire) }
                }
                // Every entry of `expiries` has its place in the heap: an empty heap leaves none.
                if state.heap.isEmpty { state.watching = false }
                return (due, state.heap.isEmpty)
            }
            for expire in due { expire() }
            if done { return }
        }
    }
}

/// A binary min-heap of deadlines: insert and remove the earliest in time logarithmic in its size.
struct DeadlineHeap {
    private var entries: [(id: UInt64, at: ContinuousClock.Instant)] = []

    var isEmpty: Bool { entries.isEmpty }
    var first: (id: UInt64, at: ContinuousClock.Instant)? { entries.first }

    mutating func insert(id: UInt64, at: ContinuousClock.Instant) {
        entries.append((id, at))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].at < entries[parent].at else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeFirst() {
        guard !entries.isEmpty else { return }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < entries.count, entries[left].at < entries[smallest].at { smallest = left }
            if right < entries.count, entries[right].at < entries[smallest].at { smallest = right }
            guard smallest != parent else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

/// The first of several results, handed to a continuation once: the others are dropped.
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var result: Result<T, any Error>?
        var finish: (@Sendable () -> Void)?
        var settled = false
    }

    private let state = Mutex(State())

    /// Sets where the result goes, and what to do once it has gone; a result that came first goes now.
    func wait(_ continuation: CheckedContinuation<T, any Error>, then finish: @escaping @Sendable () -> Void) {
        let ready = state.withLock { state -> Result<T, any Error>? in
            if let result = state.result {
                state.result = nil
                return result
            }
            state.continuation = continuation
            state.finish = finish
            return nil
        }
        if let ready {
            continuation.resume(with: ready)
            finish()
        }
    }

    func settle(_ result: Result<T, any Error>) {
        let (continuation, finish) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !state.settled else { return (nil, nil) }
            state.settled = true
            guard let continuation = state.continuation else {
                state.result = result
                return (nil, nil)
            }
            state.continuation = nil
            defer { state.finish = nil }
            return (continuation, state.finish)
        }
        continuation?.resume(with: result)
        finish?()
    }
}
