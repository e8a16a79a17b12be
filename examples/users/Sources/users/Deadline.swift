import Synchronization

/// The database gave no answer within its timeout.
struct DeadlinePassed: Error, CustomStringConvertible {
    var timeout: Duration
    var description: String { "no answer within \(timeout)" }
}

/// Runs `operation`, giving up after `timeout` with ``DeadlinePassed``: the operation is cancelled,
/// but not waited for. A query on a connection whose host vanished may not notice its cancellation
/// until TCP gives up, minutes later; the request does not wait that long.
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
            let timer = Task {
                try? await Task.sleep(for: timeout)
                outcome.settle(.failure(DeadlinePassed(timeout: timeout)))
            }
            outcome.wait(continuation) {
                work.cancel()
                timer.cancel()
            }
        }
    } onCancel: {
        outcome.settle(.failure(CancellationError()))
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
