import CNozzleSystem
import Nozzle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The FastCGI responder: worker threads that share one event set, and a control loop.
///
/// The event set holds the listening socket (one-shot), every connection (edge-triggered) and the
/// pool's job bell (one-shot).
/// A worker waits for one event at a time: it accepts connections, reads a connection that has
/// something, or runs a job of a request's task. A request that awaits (a database, `Task.sleep`,
/// a slow upload) holds no thread; when its wait ends, a job goes to the pool and any worker
/// resumes it. So threads are for running code, and requests in flight are limited by
/// `--max-in-flight`, not by `--workers`.
///
/// The main thread runs the control loop: signals, ``stop()``, the watchdog, and the graceful stop
/// (`FastCGIServer+control.swift`); the workers' loop and the accept path are in
/// `FastCGIServer+workers.swift`. Parts with one job each are composed here: ``PeerFilter`` accepts
/// and filters peers, ``HostPages`` answers the status, ping and OpenAPI pages before routing,
/// ``RequestMetrics`` counts each answered request and writes the access log, and
/// ``SharedLifecycle`` holds the admission and stop state they share.
// Unchecked: `hostPages` is set during `init`, before any thread starts; every other property is a
// `let` of a Sendable type or sits behind its own lock.
package final class FastCGIServer: @unchecked Sendable {
    let options: ServeOptions
    let listenFD: Int32?
    let ownedSocketPath: String?
    let signalFD: Int32?
    /// Under a supervisor: the read end of a pipe whose other end closes when the supervisor dies.
    let lifelineFD: Int32?
    /// Under a supervisor: where to write one byte once this worker serves.
    let readyFD: Int32?
    /// Accepting connections, and the peers a TCP listener lets in.
    let peers: PeerFilter
    let protocolLimits: FastCGIConnectionState.Limits

    /// Connections, the listening socket and the job bell; the workers wait here.
    let events = EventSet()
    /// Signals, stop requests and the lifeline; the control loop waits here.
    let control = EventSet()
    /// ``stop()`` and the workers wake the control loop with this.
    let wakeControl = Bell()
    /// Rung once, never silenced: every worker that sees it leaves.
    let exitWorkers = Bell()
    let pool: WorkerPool
    let ids = RequestIDs()
    let status: ProcessStatus
    /// The status, ping and OpenAPI pages, asked before routing.
    /// Written once, in `init`, before any thread can read it.
    var hostPages: HostPages
    /// How the pool's workers show each other their requests in flight, under a supervisor with
    /// `--status-path`.
    let statusPeers: StatusPeers?
    /// Under a supervisor: the pool's shared figures.
    let scoreboard: Scoreboard?
    let pipeline: RequestPipeline

    let lifecycle: SharedLifecycle
    let connections = Mutex(ConnectionTable())
    let lingering = Mutex([FastCGIConnection]())
    let stopRequested = Atomic(false)
    /// Why a stop was asked for, for its log line: the first reason given.
    let stopReason = Mutex<String?>(nil)
    let fatalError = Mutex<String?>(nil)
    /// One read buffer per worker thread: a connection keeps no buffer of its own.
    private let readBuffers: [UnsafeMutableBufferPointer<UInt8>]

    /// Tags of what is not a connection; a connection's tag never has the top bit set.
    enum Tag {
        static let listen: UInt64 = 1 << 63 | 1
        static let jobs: UInt64 = 1 << 63 | 2
        static let exit: UInt64 = 1 << 63 | 3
        static let wake: UInt64 = 1 << 63 | 4
        static let signal: UInt64 = 1 << 63 | 5
        static let lifeline: UInt64 = 1 << 63 | 6
        static let statusPeers: UInt64 = 1 << 63 | 7
    }

    /// A server answering requests for `app`.
    ///
    /// - Parameters:
    ///   - listenFD: a listening socket to accept on, or nil to serve only adopted connections.
    ///   - ownedSocketPath: a unix socket path this process created, removed again at stop.
    ///   - signalFD: a signalfd from ``Signals/takeOver()``, or nil to ignore signals (tests).
    ///   - environment: the process environment, for `FCGI_WEB_SERVER_ADDRS` and what a supervisor passes.
    init(app: App, options: ServeOptions, listenFD: Int32?, ownedSocketPath: String? = nil, signalFD: Int32?, environment: [String: String] = [:]) {
        self.options = options
        self.listenFD = listenFD
        self.ownedSocketPath = ownedSocketPath
        self.signalFD = signalFD
        let isTCP = listenFD.map(ListeningSocket.isTCP) ?? false
        peers = PeerFilter(allowed: isTCP ? options.allowedPeers(environment: environment) : nil)
        protocolLimits = FastCGIConnectionState.Limits(maxConnections: options.maxInFlight, maxRequests: options.maxInFlight)
        status = ProcessStatus(routes: app.routes, poolStarted: environment["NOZZLE_POOL_STARTED"].flatMap { Int($0) })
        scoreboard = Scoreboard.attach(environment: environment, routeHash: status.routeHash)
        pool = WorkerPool(size: options.workers, seats: System.coreCount, scoreboard: scoreboard)
        lifecycle = SharedLifecycle(ServerLifecycle(maxInFlight: options.maxInFlight, maxRequests: options.recycling.requestLimit()))
        readBuffers = (0..<options.workers).map { _ in .allocate(capacity: 65_536 + 16) }
        pipeline = RequestPipeline(app: app, basePath: options.basePath, logFormat: options.logFormat)
        lifelineFD = environment["NOZZLE_LIFELINE"].flatMap { Int32($0) }
        readyFD = environment["NOZZLE_READY_FD"].flatMap { Int32($0) }

        if let listenFD {
            _ = fcntl(listenFD, F_SETFL, fcntl(listenFD, F_GETFL) | O_NONBLOCK)
            events.add(listenFD, tag: Tag.listen, [.readable, .oneShot])
        }
        events.add(pool.bell.fd, tag: Tag.jobs, [.readable, .oneShot])
        events.add(exitWorkers.fd, tag: Tag.exit, .readable)
        control.add(wakeControl.fd, tag: Tag.wake, .readable)
        if let signalFD { control.add(signalFD, tag: Tag.signal, .readable) }
        if let lifelineFD {
            // Under a supervisor: its end of this pipe closes when it dies, and then this worker stops.
            _ = fcntl(lifelineFD, F_SETFD, FD_CLOEXEC)
            control.add(lifelineFD, tag: Tag.lifeline, .readable)
        }
        hostPages = HostPages(
            statusPath: options.statusPath, pingPath: options.pingPath, openAPIPath: options.openAPIPath,
            clients: options.allowedPeers(environment: [:]),
            openAPIDocument: options.openAPIPath == nil ? nil : OpenAPIDocument.json(for: app, defaultTitle: System.programName),
            listenFD: listenFD, status: status, scoreboard: scoreboard,
            local: HostPages.LocalFigures(
                lifecycle: lifecycle, pool: pool, workers: options.workers, maxInFlight: options.maxInFlight, afterResponse: app.afterResponse))
        statusPeers = options.statusPath == nil ? nil : StatusPeers.open(environment: environment)
        if let statusPeers { control.add(statusPeers.listenFD, tag: Tag.statusPeers, .readable) }
        let metrics = RequestMetrics(status: status, scoreboard: scoreboard, pool: pool, accessLog: options.accessLog)
        hostPages.inFlight = { [unowned self] in poolLiveRequests() }
        // Without a page to answer, requests go straight to routing.
        pipeline.hostPage = hostPages.isEnabled ? hostPages.answer : nil
        pipeline.completed = metrics.record
    }

    deinit {
        for buffer in readBuffers { buffer.deallocate() }
    }

    /// The read buffer of worker `thread`. Only that thread uses it, and only while it handles one
    /// connection's event: nothing read stays in it past that (the protocol state copies what it
    /// keeps), so a connection keeps no buffer of its own.
    func readBuffer(for thread: WorkerThread) -> UnsafeMutableBufferPointer<UInt8> {
        UnsafeMutableBufferPointer(rebasing: readBuffers[thread.index][0..<65_536])
    }

    /// Asks the server to stop gracefully, from any thread.
    package func stop() { stop(reason: "stop requested") }

    /// Asks the control loop for a graceful stop, naming why in its log line.
    func stop(reason: String) {
        stopReason.withLock { $0 = $0 ?? reason }
        stopRequested.store(true, ordering: .releasing)
        wakeControl.ring()
    }

    /// Serves until stopped by SIGTERM, SIGINT, SIGQUIT or ``stop()``; returns the exit status.
    package func run() -> Int32 {
        let threads = (0..<options.workers).map { index in
            Thread.start { [self] in workerLoop(WorkerThread(index: index)) }
        }
        announceReadiness()
        let status = controlLoop()
        exitWorkers.ring()
        pool.wakeAllResting()
        for thread in threads { pthread_join(thread, nil) }
        for connection in connections.withLock({ $0.all }) { connection.closeNow() }
        if status == 0 { System.log("nozzle: stopped") }
        return status
    }

    // MARK: - Requests

    /// A request arrived: whether it may start now. The status and ping pages always may, so they
    /// answer while the process is full.
    func admitRequest(_ head: FastCGIRequestHead) -> Bool {
        let hostPage = hostPages.isEnabled && hostPages.serves((head.params["SCRIPT_NAME"] ?? "") + (head.params["PATH_INFO"] ?? ""))
        let admitted = lifecycle.withLock { $0.admit(regardlessOfLimit: hostPage) }
        if admitted { publishInFlight() }
        return admitted
    }

    /// Under a supervisor, puts this process's requests in flight on the scoreboard.
    ///
    /// Written under the lifecycle's lock: two threads that change the count at once then publish in
    /// the order they changed it, so the figure left on the scoreboard is the count, not whichever
    /// thread wrote last.
    func publishInFlight() {
        guard let scoreboard else { return }
        let limit = options.maxInFlight
        lifecycle.withLock { scoreboard.inFlight($0.inFlight, queued: $0.parkedCount, most: $0.mostInFlight, limit: limit) }
    }

    /// Under a supervisor, puts this process's after-response work on the scoreboard.
    func publishAfterResponse() {
        scoreboard?.afterResponse(pipeline.app.afterResponse.figures)
    }

    /// A request waits for room to start.
    func park(_ connection: FastCGIConnection) { lifecycle.withLock { $0.park(connection) } }

    /// A waiting request's connection closed.
    func unpark(_ connection: FastCGIConnection) { lifecycle.withLock { $0.unpark(connection) } }

    /// A request's task ended.
    func requestEnded() {
        let (actions, stopping) = lifecycle.withLock { lifecycle -> ([ServerLifecycle<FastCGIConnection>.Action], Bool) in
            let actions = lifecycle.requestEnded()
            if case .serving = lifecycle.phase { return (actions, false) }
            return (actions, true)
        }
        for action in actions {
            switch action {
            case .startParked(let connection): connection.startParked()
            case .stop(let reason): stop(reason: reason)
            case .exit: break
            }
        }
        publishInFlight()
        if stopping { wakeControl.ring() }
    }

    // MARK: - Connections

    /// Serves a connection just accepted, on this worker at once: the web server has usually sent
    /// its request already, so it is read now, and only registered in the event set when it has to
    /// wait for something; that saves a wake-up of another worker for every new connection.
    func adoptAndRead(connection fd: Int32, thread: WorkerThread) {
        let connection = insertConnection(fd, registered: false)
        connection.handle(EventSet.Event(tag: connection.tag, events: EPOLLIN.rawValue), thread: thread)
    }

    /// Serves a connection that is already open, such as one end of a socketpair in a test.
    package func adopt(connection fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let connection = insertConnection(fd, registered: true)
        events.add(fd, tag: connection.tag, ConnectionIO.reading)
    }

    /// A new connection in the table; one that arrives during a stop closes after its first request.
    private func insertConnection(_ fd: Int32, registered: Bool) -> FastCGIConnection {
        let connection = connections.withLock { table -> FastCGIConnection in
            let connection = FastCGIConnection(fd: fd, tag: table.nextTag(for: fd), server: self, registered: registered)
            table.insert(connection)
            return connection
        }
        if case .stopping = lifecycle.withLock({ $0.phase }) { _ = connection.closeForStop() }
        return connection
    }

    /// A connection closed: it leaves the table.
    func forget(_ connection: FastCGIConnection) {
        connections.withLock { $0.remove(connection) }
        lingering.withLock { list in list.removeAll { $0 === connection } }
    }

    /// A connection with a deadline the control loop keeps: it half-closed and reads on until its
    /// peer closes, or it drains an answered request's body before that request's END_REQUEST.
    func linger(_ connection: FastCGIConnection) {
        lingering.withLock { list in
            if !list.contains(where: { $0 === connection }) { list.append(connection) }
        }
    }

    /// A connection's deadline is over without a close: its drained request has ended.
    func endLinger(_ connection: FastCGIConnection) {
        lingering.withLock { list in list.removeAll { $0 === connection } }
    }
}

