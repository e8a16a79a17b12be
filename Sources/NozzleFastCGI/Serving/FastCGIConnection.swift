import CNozzleSystem
import Nozzle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One connection from the web server: it reads records, drives its ``FastCGIConnectionState``,
/// starts the requests it carries, and writes their responses.
///
/// It is registered edge-triggered in the server's event set, and one worker at a time handles its
/// events: one that comes while a worker handles it has it registered again when that worker lets
/// go (``ConnectionIO``).
/// A request's task writes its response from whichever thread it runs on, under this connection's
/// lock; so do closing and re-arming. The socket is non-blocking: nothing here ever waits on it.
///
/// - Important: The lock order is this connection's `state`, then the server's `connections` or
///   `lingering` (``FastCGIServer/forget(_:)``, ``FastCGIServer/linger(_:)``), never the other way:
///   the server copies those lists out of their locks before it calls into a connection. The body
///   channel's lock is never held while this one is taken, nor this one while the channel's is:
///   chunks are delivered, and reading resumed, outside both.
final class FastCGIConnection: FastCGIBodyChannel.Reader, Sendable {
    let fd: Int32
    /// The event-set tag: the descriptor, and a generation that tells this connection from a later
    /// one on the same descriptor.
    let tag: UInt64
    unowned let server: FastCGIServer

    struct State {
        var protocolState: FastCGIConnectionState
        /// Handling, arming, reading, lingering and closing: the decisions, as a value.
        var io = ConnectionIO()
        var output = OutputQueue()
        /// The request this connection carries now.
        var current: RequestExecutor?
        /// A request that arrived while the process had `--max-in-flight` requests.
        var parked: FastCGIRequestHead?

        /// What the connection is about, for ``ConnectionIO/settle(_:now:)``.
        var situation: ConnectionIO.Situation {
            ConnectionIO.Situation(
                protocolPhase: protocolState.phase, awaitingRequest: protocolState.isAwaitingRequest, fresh: protocolState.isFresh,
                busy: current != nil || parked != nil, outputPending: !output.isEmpty)
        }
    }

    let state: Mutex<State>

    /// A connection; `registered` says whether its descriptor is in the event set already.
    init(fd: Int32, tag: UInt64, server: FastCGIServer, registered: Bool = true) {
        self.fd = fd
        self.tag = tag
        self.server = server
        state = Mutex(State(protocolState: FastCGIConnectionState(limits: server.protocolLimits), io: ConnectionIO(registered: registered)))
    }

    // MARK: - Events

    /// Handles one event from the event set, on a worker thread; or, when another worker handles
    /// the connection now, notes it for that one (``ConnectionIO/beginEvent()``).
    func handle(_ event: EventSet.Event, thread: WorkerThread) {
        let (proceed, reads) = state.withLock { state -> (Bool, Bool) in
            let (handle, read) = state.io.beginEvent()
            guard handle else { return (false, false) }
            if event.isWritable { flushLocked(&state) }
            // A full body channel stops reading, whatever the event says.
            return (true, read)
        }
        guard proceed else { return }
        var start: RequestExecutor?
        if event.isReadable && reads { start = readAvailable(thread: thread) }
        if let current = start {
            launch(current, thread: thread)
            // The request runs here first; often to its end, response and all.
            while !thread.inlineJobs.isEmpty {
                let (job, executor) = thread.inlineJobs.removeFirst()
                server.pool.run(job, on: executor, thread: thread.index)
            }
        }
        state.withLock { state in
            state.io.endEvent()
            // A request still in flight here waits (for its body, a database, a timer): the buffers
            // kept for the next request and response go meanwhile, so that each of thousands of
            // waiting requests holds about 500 bytes less. One that ran to its end keeps them.
            if state.current != nil {
                state.output.releaseKeptStorage()
                state.protocolState.releaseKeptStorage()
            }
            settleLocked(&state)
        }
    }

    /// Reads what the socket has, feeds the protocol state, and carries out its actions. Returns a
    /// request to start on this thread, once its body so far has been handed over.
    private func readAvailable(thread: WorkerThread) -> RequestExecutor? {
        var start: RequestExecutor?
        let buffer = server.readBuffer(for: thread)
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                peerClosed()
                break
            }
            if count == 0 {
                peerClosed()
                break
            }
            let (actions, lingering, drained) = state.withLock { state -> ([FastCGIConnectionState.Action], Bool, Bool) in
                // Closing: whatever still comes is dropped.
                if state.io.isLingering { return ([], true, false) }
                guard state.io.drain != nil else {
                    return (state.protocolState.receive(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count)), false, false)
                }
                state.io.noteActivity(now: System.now())
                let actions = state.protocolState.receive(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count))
                // The drained body has ended (its END_REQUEST goes out now, or went out on a stall):
                // no deadline is left.
                guard case .draining = state.protocolState.phase else {
                    state.io.endDrain()
                    return (actions, false, true)
                }
                return (actions, false, false)
            }
            if drained { server.endLinger(self) }
            if !lingering, let started = perform(actions) { start = started }
            // A full buffer may mean more is waiting; a partial one means the socket is empty.
            let paused = state.withLock { !$0.io.mayRead || $0.io.isClosed }
            if count < buffer.count || paused { break }
        }
        return start
    }

    /// Carries out the protocol state's actions; returns a request to start.
    private func perform(_ actions: [FastCGIConnectionState.Action]) -> RequestExecutor? {
        var start: RequestExecutor?
        for action in actions {
            switch action {
            case .start(let head):
                // Its body goes to its channel from now on, whether it starts now or waits for room.
                let current = makeCurrent(head)
                state.withLock { $0.current = current }
                if server.admitRequest(head) {
                    start = current
                } else {
                    state.withLock { $0.parked = head }
                    server.park(self)
                }
            case .body(let chunk):
                let body = state.withLock { $0.current?.body }
                if let body, body.deliver(chunk) { state.withLock { $0.io.readPaused = true } }
            case .endOfBody:
                state.withLock { $0.current?.body }?.end()
            case .send(let bytes):
                state.withLock { state in
                    state.output.append(bytes)
                    flushLocked(&state)
                }
            case .endRequest(let id):
                // The answered request's body has been read to its end: now the web server may
                // take the connection for its next request. (`readAvailable` has ended the drain.)
                state.withLock { state in
                    state.output.appendEndRequest(requestID: id)
                    flushLocked(&state)
                }
            case .abort:
                state.withLock { $0.current?.task }?.cancel()
            case .fail(let reason):
                System.log("nozzle: closing a connection: \(reason)", level: .warning)
                abandon()
                // A request admitted in this same read never starts.
                if start != nil { server.requestEnded() }
                return nil
            }
        }
        return start
    }

    private func makeCurrent(_ head: FastCGIRequestHead) -> RequestExecutor {
        let sink = FastCGIResponseSink(connection: self, requestID: head.id)
        // The channel holds the connection until the request ends; so does the sink.
        let body = FastCGIBodyChannel(reader: self)
        return RequestExecutor(server: server, sink: sink, body: body, params: head.params, id: server.ids.next(), arrived: System.now())
    }

    /// Starts a request's task; on a worker that read it, its first job stays on that worker.
    private func launch(_ current: RequestExecutor, thread: WorkerThread?) {
        thread?.startingInline = current
        let task = Task(executorPreference: current) { await current.run() }
        thread?.startingInline = nil
        state.withLock { state in
            guard state.current === current else { return }
            current.task = task
        }
    }

    /// The request this connection carries, as the status page's `?full` lists it, once it has
    /// been in flight for `atLeast` seconds; `markSlow` marks it logged by the slow-request log, and
    /// leaves out one logged already.
    func liveRequest(now: Double, atLeast: Double = 0, markSlow: Bool = false, running: [ObjectIdentifier: Int], describe: (CGIEnvironment, String, Double, LiveRequest.Phase, Int?) -> LiveRequest) -> LiveRequest? {
        let found = state.withLock { state -> (RequestExecutor, queued: Bool, writing: Bool)? in
            guard let current = state.current, now - current.arrived >= atLeast else { return nil }
            if markSlow {
                guard !current.loggedSlow else { return nil }
                current.loggedSlow = true
            }
            return (current, state.parked != nil, !state.output.isEmpty)
        }
        // The body channel's lock is taken outside this connection's (the order above).
        guard let (current, queued, writing) = found else { return nil }
        let thread = running[ObjectIdentifier(current)]
        let phase: LiveRequest.Phase =
            queued ? .queued : thread != nil ? .running : current.body.isAwaited ? .readingBody : writing ? .writing : .waiting
        return describe(current.params, current.id, now - current.arrived, phase, thread)
    }

    /// Starts the request that waited for room, now that there is some.
    func startParked() {
        let parked = state.withLock { state -> RequestExecutor? in
            guard state.parked != nil, let current = state.current, !state.io.isClosed else { return nil }
            state.parked = nil
            return current
        }
        guard let current = parked else {
            server.requestEnded()
            return
        }
        launch(current, thread: nil)
        state.withLock { settleLocked(&$0) }
    }

    /// The peer closed its end, or the socket failed. Without multiplexing, that is how a web
    /// server aborts a request (nginx does when its client goes away): the request's task is
    /// cancelled, as for `FCGI_ABORT_REQUEST`.
    private func peerClosed() {
        let (current, task, aborts, wasParked) = state.withLock { state -> (RequestExecutor?, Task<Void, Never>?, Bool, Bool) in
            let aborts = state.protocolState.peerClosed().contains { if case .abort = $0 { true } else { false } }
            state.output.removeAll()
            let wasParked = state.parked != nil
            state.parked = nil
            closeLocked(&state)
            let current = state.current
            // A request that never started never finishes: nothing else lets go of it.
            if wasParked { state.current = nil }
            return (current, current?.task, aborts, wasParked)
        }
        current?.body.fail(FastCGIBodyChannel.Interrupted())
        if aborts { task?.cancel() }
        if wasParked { server.unpark(self) }
    }

    /// Gives up on the connection after a protocol error: no more reading or writing.
    private func abandon() {
        let body = state.withLock { state -> FastCGIBodyChannel? in
            state.output.removeAll()
            closeLocked(&state)
            return state.current?.body
        }
        body?.fail(FastCGIBodyChannel.Interrupted())
    }

    /// The body channel has room again.
    func resumeReading() {
        state.withLock { state in
            guard state.io.readPaused else { return }
            state.io.readPaused = false
            settleLocked(&state)
        }
    }

    // MARK: - Writing, from the request's task

    func appendStream(_ kind: FastCGIRecord.Kind, _ bytes: [UInt8], from sink: FastCGIResponseSink) {
        state.withLock { state in
            guard !state.io.isClosed, state.current?.sink === sink else { return }
            state.output.appendStream(kind, requestID: sink.requestID, bytes)
            // Much waiting output: send it now instead of holding it all.
            if state.output.count >= 65_536 {
                flushLocked(&state)
                settleLocked(&state)
            }
        }
    }

    func flush(from sink: FastCGIResponseSink) {
        state.withLock { state in
            guard state.current?.sink === sink else { return }
            flushLocked(&state)
            settleLocked(&state)
        }
    }

    /// The request is over: the end of STDOUT and END_REQUEST go out, the rest of its body is
    /// dropped, and the connection waits for the next request or closes.
    func finishRequest(from sink: FastCGIResponseSink) {
        let body = state.withLock { state -> FastCGIBodyChannel? in
            guard let current = state.current, current.sink === sink else { return nil }
            state.current = nil
            let ended = state.protocolState.finishRequest()
            if !state.io.isClosed {
                switch ended {
                case .endNow(let id)?:
                    // The empty STDOUT record that ends the stream, and END_REQUEST.
                    state.output.appendEnd(requestID: id)
                case .endAfterBody(let id)?:
                    // The answer goes out now; END_REQUEST once the rest of the body is read.
                    state.output.appendStreamEnd(requestID: id)
                    state.io.beginDrain(now: System.now())
                    server.linger(self)
                case nil:
                    break
                }
                state.io.readPaused = false
                flushLocked(&state)
            }
            settleLocked(&state)
            return current.body
        }
        body?.fail(FastCGIConnection.requestOver)
    }

    struct RequestOver: Error, CustomStringConvertible {
        var description: String { "the response was already sent" }
    }

    /// Made once: every finished request's body channel is failed with it.
    static let requestOver: any Error = RequestOver()

    // MARK: - The server stopping

    /// Closes the connection at once if it is idle; otherwise after its request. Returns whether
    /// the stop must still wait for it: it carries a request, or has not carried its first one.
    func closeForStop() -> Bool {
        state.withLock { state in
            guard !state.io.isClosed else { return false }
            state.io.closeWhenIdle = true
            if state.protocolState.isAwaitingRequest, !state.protocolState.isFresh, state.current == nil, state.parked == nil {
                settleLocked(&state)
                return false
            }
            return true
        }
    }

    /// Whether the stop still waits for this connection.
    var holdsUpStop: Bool {
        state.withLock { state in
            !state.io.isClosed && (state.current != nil || state.parked != nil || !state.protocolState.isAwaitingRequest || state.protocolState.isFresh)
        }
    }

    /// Closes the connection at once, as the process exits.
    func closeNow() {
        state.withLock { closeLocked(&$0) }
    }

    /// Checks the connection's deadlines, from the control thread: a drained body that stalled
    /// gets its END_REQUEST, a drain or a linger past its deadline ends the connection.
    func expireLinger(now: Double) {
        state.withLock { state in
            switch state.io.expire(now: now, holdingEnd: state.protocolState.isHoldingEnd) {
            case .none:
                break
            case .giveUpDrain:
                if state.protocolState.stopDraining() {
                    System.log("nozzle: the rest of an answered request's body did not arrive within \(String(format1: ConnectionIO.drainSeconds)) s; closing its connection", level: .notice)
                    settleLocked(&state)
                }
            case .endStalledBody:
                // nginx stops sending a body once it has the answer, and waits for this.
                if let id = state.protocolState.bodyStalled() {
                    state.output.appendEndRequest(requestID: id)
                    flushLocked(&state)
                    settleLocked(&state)
                }
            case .close:
                closeLocked(&state)
            }
        }
    }

    // MARK: - Under the lock

    private func flushLocked(_ state: inout State) {
        guard !state.io.isClosed, !state.output.isEmpty else { return }
        if case .failed = state.output.write(to: fd) {
            // The peer is gone; the request finishes on its own and nothing more is written.
            state.output.removeAll()
        }
    }

    /// Carries out what ``ConnectionIO/settle(_:now:)`` decides, once no worker handles the
    /// connection: close it, linger, or arm it for what it waits for.
    private func settleLocked(_ state: inout State) {
        let settlement = state.io.settle(state.situation, now: System.now())  // read only when a linger starts
        if settlement.close {
            release()
            return
        }
        if settlement.linger {
            shutdown(fd, Int32(SHUT_WR))
            server.linger(self)
        }
        if let interest = settlement.arm {
            if settlement.add { server.events.add(fd, tag: tag, interest) } else { server.events.rearm(fd, tag: tag, interest) }
        }
    }

    private func closeLocked(_ state: inout State) {
        guard state.io.close() else { return }
        release()
    }

    /// The descriptor closes, which takes it out of the event set (it is never duplicated: accepted
    /// with `SOCK_CLOEXEC`, never `dup`ed), and the server forgets the connection.
    private func release() {
        close(fd)
        server.forget(self)
    }
}
