import DequeModule
import Nozzle
import Synchronization

/// A request's body on its way from the connection to the handler: STDIN chunks go in as they are
/// read, and the handler takes them out, waiting without a thread while none is there.
///
/// It holds at most about ``highWater`` bytes: past that the connection stops reading, so a client
/// that uploads faster than the handler reads is slowed down by the socket, not buffered in
/// memory; below ``lowWater`` it reads again.
final class FastCGIBodyChannel: BodySource, Sendable {
    static let highWater = 256 * 1024
    static let lowWater = 64 * 1024

    /// The connection went away before the body ended.
    struct Interrupted: Error, CustomStringConvertible {
        var description: String { "the connection closed before the request body ended" }
    }

    private struct State {
        var chunks = Deque<[UInt8]>()
        var buffered = 0
        var ended = false
        /// Whether any chunk arrived.
        var received = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
    }

    private let state = Mutex(State())
    /// Told when the handler has taken enough that the connection may read again.
    private let reader: any Reader

    /// What fills the channel: a connection, which stops reading while the channel is full.
    protocol Reader: AnyObject, Sendable {
        /// The channel has room again.
        func resumeReading()
    }

    init(reader: any Reader) { self.reader = reader }

    /// Whether the handler is waiting for a chunk that has not come yet.
    var isAwaited: Bool { state.withLock { $0.waiter != nil } }

    /// Adds a chunk from the connection; returns whether the channel is now over its high-water mark.
    func deliver(_ chunk: [UInt8]) -> Bool {
        let (waiter, full) = state.withLock { state -> (CheckedContinuation<[UInt8]?, any Error>?, Bool) in
            guard !state.ended, state.failure == nil else { return (nil, false) }
            state.received = true
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, false)
            }
            state.chunks.append(chunk)
            state.buffered += chunk.count
            return (nil, state.buffered > FastCGIBodyChannel.highWater)
        }
        waiter?.resume(returning: chunk)
        return full
    }

    /// The body is complete.
    func end() {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            state.ended = true
            defer { state.waiter = nil }
            return state.chunks.isEmpty ? state.waiter : nil
        }
        waiter?.resume(returning: nil)
    }

    /// The body will not come: the connection closed, or the request is over. What is buffered is dropped.
    func fail(_ error: any Error) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            if state.failure == nil && !(state.ended && state.chunks.isEmpty) { state.failure = error }
            state.chunks.removeAll()
            state.buffered = 0
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }

    var endedEmpty: Bool { state.withLock { $0.ended && !$0.received && $0.failure == nil } }

    /// Bytes delivered and not yet taken.
    var buffered: Int { state.withLock { $0.buffered } }

    nonisolated(nonsending) func next() async throws -> [UInt8]? {
        enum Taken {
            case chunk([UInt8], drained: Bool)
            case end
            case failure(any Error)
            case wait
        }
        let taken = state.withLock { state -> Taken in
            if let failure = state.failure { return .failure(failure) }
            if let chunk = state.chunks.popFirst() {
                let before = state.buffered
                state.buffered -= chunk.count
                return .chunk(chunk, drained: before > FastCGIBodyChannel.lowWater && state.buffered <= FastCGIBodyChannel.lowWater)
            }
            return state.ended ? .end : .wait
        }
        switch taken {
        case .chunk(let chunk, let drained):
            if drained { reader.resumeReading() }
            return chunk
        case .end:
            return nil
        case .failure(let error):
            throw error
        case .wait:
            break
        }
        // Nothing yet: wait for the connection, holding no thread. The connection reads on as
        // long as the channel is under its high-water mark, so the next chunk is on its way.
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<[UInt8]?, any Error>? in
                    if let failure = state.failure { return .failure(failure) }
                    if let chunk = state.chunks.popFirst() {
                        state.buffered -= chunk.count
                        return .success(chunk)
                    }
                    if state.ended { return .success(nil) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
