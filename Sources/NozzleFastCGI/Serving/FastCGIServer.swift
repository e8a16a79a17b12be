import CFastCGI
import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// The FastCGI responder: worker threads that share one epoll set.
///
/// The epoll set holds the listening socket and every idle connection, each registered one-shot.
/// Idle worker threads wait in `epoll_wait` for one event each, so a connection with a request
/// ready wakes exactly one worker, which runs libfcgi's `FCGX_Accept_r` on it (with `ipcFd` preset
/// and no listening socket), answers it, drains any unread body, and arms the connection again.
/// No thread ever waits on an idle connection kept alive by nginx's `fastcgi_keep_conn on`, so
/// kept connections give keep-alive throughput without the tail latency of a plain
/// `FCGX_Accept_r` loop; and no request is handed from one thread to another on the way.
///
/// The main thread runs the control loop: signals, ``stop()``, and the graceful stop.
package final class FastCGIServer: @unchecked Sendable {
    let app: App
    let options: ServeOptions
    let basePath: String
    let listenFD: Int32?
    let ownedSocketPath: String?
    let signalFD: Int32?
    /// Connections and the listening socket; the workers wait here.
    let epoll: Int32
    /// Signals and stop requests; the control loop waits here.
    let control: Int32
    /// ``stop()`` and the workers wake the control loop through this.
    let wakeFD: Int32
    /// Made readable once, never read: every worker that sees it leaves.
    let exitFD: Int32
    /// Under a supervisor: the read end of a pipe whose other end closes when the supervisor dies.
    let lifelineFD: Int32?
    /// The peers a TCP listening socket accepts; nil for a unix socket, which file permissions guard.
    let allowedPeers: [AddressRange]?
    let ids = RequestIDs()
    let status: ProcessStatus
    /// Under a supervisor: where each thread records the request it is serving.
    let scoreboard: Scoreboard?
    /// The clients that may see the status and ping pages: `--allow`, loopback unless given.
    let statusClients: [AddressRange]
    let stderrWriter = StderrLogWriter()

    private let state = Lock()
    private var busy = 0
    private var served = 0
    private var stopping = false
    private var stopRequested = false
    private var fatalError: String?
    private var connections = ConnectionTable()
    /// What each worker thread is serving, and since when: for the hard request timeout.
    private var running: [(since: Double, what: String)?] = []
    /// Idle connections that already had a request waiting when the stop began: answered before exit.
    private var awaiting = Set<Int>()

    static let listenTag: UInt64 = 1
    static let wakeTag: UInt64 = 2
    static let signalTag: UInt64 = 3
    static let exitTag: UInt64 = 4
    static let lifelineTag: UInt64 = 5
    /// Connection events carry `fd + connectionTagBase`.
    static let connectionTagBase: UInt64 = 16

    /// A server answering requests for `app`.
    ///
    /// - Parameters:
    ///   - listenFD: a listening socket to accept on, or nil to serve only adopted connections.
    ///   - ownedSocketPath: a unix socket path this process created, removed again at stop.
    ///   - signalFD: a signalfd from ``Signals/takeOver()``, or nil to ignore signals (tests).
    ///   - environment: the process environment, for `FCGI_WEB_SERVER_ADDRS` and what a supervisor passes.
    init(app: App, options: ServeOptions, listenFD: Int32?, ownedSocketPath: String? = nil, signalFD: Int32?, environment: [String: String] = [:]) {
        FCGX_Init()
        self.app = app
        self.options = options
        self.basePath = options.basePath ?? app.basePath
        self.listenFD = listenFD
        self.ownedSocketPath = ownedSocketPath
        self.signalFD = signalFD
        self.epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        self.control = epoll_create1(Int32(EPOLL_CLOEXEC))
        var family = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let isTCP = listenFD.map { fd in
            withUnsafeMutablePointer(to: &family) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } } == 0
                && (Int32(family.ss_family) == AF_INET || Int32(family.ss_family) == AF_INET6)
        } ?? false
        self.allowedPeers = isTCP ? options.allowedPeers(environment: environment) : nil
        self.statusClients = options.allowedPeers(environment: [:])
        self.status = ProcessStatus(routes: app.routes, poolStarted: environment["NOZZLE_POOL_STARTED"].flatMap { Int($0) })
        self.scoreboard = Scoreboard.attach(environment: environment, routeHash: status.routeHash)
        self.wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        self.exitFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        if let listenFD {
            _ = fcntl(listenFD, F_SETFL, fcntl(listenFD, F_GETFL) | O_NONBLOCK)
            FastCGIServer.add(listenFD, to: epoll, tag: FastCGIServer.listenTag, events: EPOLLIN.rawValue | EPOLLONESHOT.rawValue)
        }
        FastCGIServer.add(exitFD, to: epoll, tag: FastCGIServer.exitTag, events: EPOLLIN.rawValue)
        FastCGIServer.add(wakeFD, to: control, tag: FastCGIServer.wakeTag, events: EPOLLIN.rawValue)
        if let signalFD { FastCGIServer.add(signalFD, to: control, tag: FastCGIServer.signalTag, events: EPOLLIN.rawValue) }
        // Under a supervisor: its end of this pipe closes when it dies, and then this worker stops.
        self.lifelineFD = environment["NOZZLE_LIFELINE"].flatMap { Int32($0) }
        if let lifelineFD {
            _ = fcntl(lifelineFD, F_SETFD, FD_CLOEXEC)
            FastCGIServer.add(lifelineFD, to: control, tag: FastCGIServer.lifelineTag, events: EPOLLIN.rawValue)
        }
    }

    deinit {
        close(epoll)
        close(control)
        close(wakeFD)
        close(exitFD)
    }

    private static func add(_ fd: Int32, to set: Int32, tag: UInt64, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = tag
        epoll_ctl(set, EPOLL_CTL_ADD, fd, &event)
    }

    /// Serves a connection that is already open, such as one end of a socketpair in a test.
    package func adopt(connection fd: Int32) {
        let request = FastCGIServer.newRequest(fd: fd)
        state.withLock { connections.insertIdle(request, fresh: true) }
        arm(request, new: true)
    }

    /// Asks the server to stop gracefully, from any thread.
    package func stop() {
        state.withLock { stopRequested = true }
        wake()
    }

    /// Serves until stopped by SIGTERM, SIGINT, SIGQUIT or ``stop()``; returns the exit status.
    package func run() -> Int32 {
        var threads: [pthread_t] = []
        state.withLock { running = Array(repeating: nil, count: options.workers) }
        for index in 0..<options.workers {
            threads.append(Thread.start { [self] in workerLoop(index: index) })
        }
        if let timeout = options.requestTimeout { startWatchdog(hardLimit: 2 * timeout) }
        var events = [epoll_event](repeating: epoll_event(), count: 8)
        var deadline: Double?
        while true {
            let count = epoll_wait(control, &events, Int32(events.count), deadline == nil ? -1 : 50)
            if count < 0 && errno != EINTR {
                System.log("nozzle: epoll_wait failed: \(System.describe(errno))", level: .error)
                return 1
            }
            for index in 0..<max(0, Int(count)) {
                switch events[index].data.u64 {
                case FastCGIServer.wakeTag:
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                    if let failure = state.withLock({ fatalError }) {
                        System.log("nozzle: cannot accept connections: \(failure); exiting", level: .error)
                        return 1
                    }
                    if deadline == nil, state.withLock({ stopRequested }) {
                        let reason = options.maxRequests.map { "served --max-requests \($0)" } ?? "stop requested"
                        deadline = beginStop(reason: reason)
                    }
                case FastCGIServer.lifelineTag:
                    if deadline == nil { deadline = beginStop(reason: "the supervisor is gone") }
                    if let lifelineFD { epoll_ctl(control, EPOLL_CTL_DEL, lifelineFD, nil) }
                case FastCGIServer.signalTag:
                    for signal in Signals.read(signalFD!) {
                        switch signal {
                        case SIGTERM, SIGINT, SIGQUIT:
                            if deadline == nil { deadline = beginStop(reason: Signals.name(signal)) }
                        case SIGUSR1:
                            LogOutput.shared.reopen()
                        default:
                            System.log("nozzle: \(Signals.name(signal)) received; ignored", level: .notice)
                        }
                    }
                default:
                    break
                }
            }
            if let deadline {
                let remaining = state.withLock { busy + awaiting.count }
                if remaining == 0 { break }
                if System.now() > deadline {
                    System.log("nozzle: shutdown timeout of \(options.shutdownTimeout)s passed with \(remaining) requests still running; exiting", level: .warning)
                    return 0
                }
            }
        }
        var one: UInt64 = 1
        _ = write(exitFD, &one, 8)
        for thread in threads { pthread_join(thread, nil) }
        System.log("nozzle: stopped")
        return 0
    }

    /// Stops accepting, closes idle connections, and returns when to give up on requests in flight.
    private func beginStop(reason: String) -> Double {
        System.log("nozzle: \(reason): stopping; finishing requests in flight (up to \(options.shutdownTimeout)s)")
        let idleNow = state.withLock { () -> [Int] in
            stopping = true
            if let listenFD {
                // The socket may be shared with other processes (spawn-fcgi -F): deregister before closing.
                epoll_ctl(epoll, EPOLL_CTL_DEL, listenFD, nil)
            }
            return connections.idleConnections()
        }
        if let listenFD {
            // Connections already queued on the socket came before the stop: take them and answer them.
            while true {
                let fd = acceptAllowed(listenFD)
                if fd == FastCGIServer.refused { continue }
                guard fd >= 0 else { break }
                let request = FastCGIServer.newRequest(fd: fd)
                state.withLock {
                    connections.insertIdle(request, fresh: true)
                    awaiting.insert(Int(fd))
                }
                arm(request, new: true)
            }
            close(listenFD)
            if let ownedSocketPath { unlink(ownedSocketPath) }
        }
        for fd in idleNow {
            var pending = pollfd(fd: Int32(fd), events: Int16(POLLIN), revents: 0)
            // A request that already arrived is answered before leaving: its connection stays armed,
            // and the stop waits for a worker to take it. So is a connection that has not carried a
            // request yet: nginx opened it to send one, and would not retry it elsewhere.
            let fresh = state.withLock { connections.isFresh(fd) }
            if fresh || (poll(&pending, 1, 0) > 0 && (pending.revents & Int16(POLLIN)) != 0) {
                // Unless a worker has taken it meanwhile, in which case busy already counts it.
                state.withLock {
                    if connections.isIdle(fd) { awaiting.insert(fd) }
                }
                continue
            }
            let claimed = state.withLock { () -> UnsafeMutablePointer<FCGX_Request>? in
                guard let request = connections.claim(fd) else { return nil }
                connections.remove(request, fd: fd)
                return request
            }
            guard let request = claimed else { continue }
            epoll_ctl(epoll, EPOLL_CTL_DEL, Int32(fd), nil)
            close(Int32(fd))
            request.deallocate()
        }
        return System.now() + options.shutdownTimeout
    }

    /// Registers a new connection, or re-arms a served one, for its next request.
    private func arm(_ request: UnsafeMutablePointer<FCGX_Request>, new: Bool = false) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue
        let fd = request.pointee.ipcFd
        event.data.u64 = UInt64(fd) + FastCGIServer.connectionTagBase
        epoll_ctl(epoll, new ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event)
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    static let refused: Int32 = -2

    /// Accepts one connection: its fd; -1 with errno set when there is none or accept failed; or
    /// ``refused`` when a TCP peer is not allowed, which is logged and closed.
    private func acceptAllowed(_ listenFD: Int32) -> Int32 {
        var peer = sockaddr_storage()
        var length = socklen_t(0)
        let fd = nozzle_accept_peer(listenFD, &peer, &length)
        guard fd >= 0, let allowedPeers else { return fd }
        guard let address = FastCGIServer.address(of: &peer), allowedPeers.contains(where: { $0.contains(address) }) else {
            let peerText = FastCGIServer.address(of: &peer) ?? "an unknown address"
            System.log("nozzle: refused a connection from \(peerText): not in --allow or FCGI_WEB_SERVER_ADDRS", level: .warning)
            close(fd)
            return FastCGIServer.refused
        }
        return fd
    }

    /// A peer's address as text: `127.0.0.1`, `::1`.
    static func address(of peer: inout sockaddr_storage) -> String? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(peer.ss_family)
        let ok = withUnsafePointer(to: &peer) { pointer -> Bool in
            switch family {
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var bytes = address.pointee.sin_addr
                    return inet_ntop(AF_INET, &bytes, &text, socklen_t(text.count)) != nil
                }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var bytes = address.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &bytes, &text, socklen_t(text.count)) != nil
                }
            default:
                return false
            }
        }
        return ok ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }

    static func newRequest(fd: Int32) -> UnsafeMutablePointer<FCGX_Request> {
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        FCGX_InitRequest(request, -1, 0)
        request.pointee.ipcFd = fd
        return request
    }

    // MARK: - Workers

    /// Ends the process when a handler ignores cancellation past the hard limit: its thread cannot be
    /// taken back any other way. Under `--processes`, the supervisor starts a fresh worker.
    private func startWatchdog(hardLimit: Double) {
        _ = Thread.start { [self] in
            while true {
                usleep(100_000)
                let stuck = state.withLock { running.compactMap { $0 }.first { System.now() - $0.since > hardLimit } }
                if let stuck {
                    System.log("nozzle: \(stuck.what) has run \(String(format1: System.now() - stuck.since)) s, past twice --request-timeout; ending this worker process so a fresh one replaces it", level: .error)
                    _exit(70)
                }
            }
        }
    }

    private func workerLoop(index: Int) {
        let executor = WorkerExecutor()
        let drain = UnsafeMutablePointer<CChar>.allocate(capacity: 65_536)
        defer { drain.deallocate() }
        var event = epoll_event()
        while true {
            // One event at a time: the others stay for the other idle workers.
            guard epoll_wait(epoll, &event, 1, -1) == 1 else { continue }
            switch event.data.u64 {
            case FastCGIServer.exitTag:
                return
            case FastCGIServer.listenTag:
                acceptConnections()
            default:
                let fd = Int(event.data.u64 - FastCGIServer.connectionTagBase)
                let claimed = state.withLock { () -> UnsafeMutablePointer<FCGX_Request>? in
                    guard let request = connections.claim(fd) else { return nil }
                    busy += 1
                    awaiting.remove(fd)
                    return request
                }
                guard let request = claimed else { continue }
                answer(request, executor: executor, drain: drain, index: index)
                let wakeControl = state.withLock { () -> Bool in
                    busy -= 1
                    served += 1
                    // --max-requests: stop taking new work and let the supervisor start a replacement.
                    if let limit = options.maxRequests, served == limit, !stopRequested {
                        stopRequested = true
                        return true
                    }
                    return stopping && busy == 0 && awaiting.isEmpty
                }
                if wakeControl { wake() }
            }
        }
    }

    /// Accepts every pending connection, then arms the listening socket again.
    private func acceptConnections() {
        guard let listenFD else { return }
        while true {
            let fd = acceptAllowed(listenFD)
            if fd >= 0 {
                adopt(connection: fd)
                continue
            }
            if fd == FastCGIServer.refused { continue }
            let code = errno
            switch code {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EAGAIN, EWOULDBLOCK:
                break
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors or memory: say so, and give requests in flight a moment to free some.
                System.log("nozzle: accept failed: \(System.describe(code)); retrying", level: .warning)
                usleep(10_000)
            default:
                let report = state.withLock { () -> Bool in
                    // After a stop began, the socket is closed on purpose.
                    guard !stopping else { return false }
                    fatalError = System.describe(code)
                    return true
                }
                if report { wake() }
                return
            }
            break
        }
        state.withLock {
            guard !stopping else { return }
            var event = epoll_event()
            event.events = EPOLLIN.rawValue | EPOLLONESHOT.rawValue
            event.data.u64 = FastCGIServer.listenTag
            epoll_ctl(epoll, EPOLL_CTL_MOD, listenFD, &event)
        }
    }

    /// Answers the request waiting on a connection, then arms the connection again or closes it.
    private func answer(_ request: UnsafeMutablePointer<FCGX_Request>, executor: WorkerExecutor, drain: UnsafeMutablePointer<CChar>, index: Int) {
        let fd = Int(request.pointee.ipcFd)
        // So that the Finish inside Accept_r leaves the preset connection open.
        request.pointee.keepConnection = 1
        if FCGX_Accept_r(request) < 0 {
            // The peer closed the connection, or sent something that is not FastCGI; libfcgi closed it.
            release(request, fd: fd)
            return
        }
        serve(request, executor: executor, index: index)
        // Unread body (a 413, a route that ignored it) would be read as the next request's header.
        // Send the answer first, so nginx has it while the rest of the body is drained; never
        // reset the connection while nginx is still sending, or the client gets a 502.
        if let input = request.pointee.in, FCGX_HasSeenEOF(input) == 0 {
            _ = FCGX_FFlush(request.pointee.out)
            while FCGX_GetStr(drain, 65_536, input) > 0 {}
        }
        FCGX_Finish_r(request)
        guard request.pointee.ipcFd >= 0 else {
            // nginx did not ask to keep it: libfcgi closed it.
            release(request, fd: fd)
            return
        }
        let keep = state.withLock { () -> Bool in
            if stopping { return false }
            connections.insertIdle(request)
            return true
        }
        if keep {
            arm(request)
        } else {
            epoll_ctl(epoll, EPOLL_CTL_DEL, Int32(fd), nil)
            close(Int32(fd))
            release(request, fd: fd)
        }
    }

    private func release(_ request: UnsafeMutablePointer<FCGX_Request>, fd: Int) {
        state.withLock { connections.remove(request, fd: fd) }
        request.deallocate()
    }

    private func serve(_ fcgx: UnsafeMutablePointer<FCGX_Request>, executor: WorkerExecutor, index: Int) {
        let logWriter: any LogWriter =
            options.logToFastCGIStderr ? FastCGILogWriter(stderrStream: fcgx.pointee.err) : stderrWriter
        let request = Request(
            variables: CGIEnvironment(cStrings: fcgx.pointee.envp),
            body: FastCGIBodySource(fcgx.pointee.in),
            basePath: basePath,
            id: ids.next(),
            logWriter: logWriter,
            logFormat: options.logFormat
        )
        let response = Response(sink: FastCGIResponseSink(fcgx), method: request.method, log: request.log)
        if answerStatusOrPing(request, response) { return }
        let app = self.app
        let started = System.now()
        let tracked = options.requestTimeout != nil
        if tracked || scoreboard != nil {
            let line = "\(request.method) \(request.path)"
            if tracked { state.withLock { running[index] = (started, line) } }
            scoreboard?.serving(line, thread: index)
        }
        executor.run {
            await app.respond(to: request, response)
        }
        scoreboard?.serving(nil, thread: index)
        if tracked { state.withLock { running[index] = nil } }
        let active = state.withLock { busy }
        let seconds = System.now() - started
        let route = status.index(of: request.routePattern)
        // Under a supervisor the status page reads the scoreboard; otherwise this process's own figures.
        if let scoreboard {
            scoreboard.record(route: route, isError: response.statusCode >= 500, seconds: seconds, active: active)
        } else {
            status.record(route: route, status: response.statusCode, seconds: seconds, active: active)
        }
        if options.accessLog {
            LogOutput.shared.log(.info, "request", metadata: [
                ("id", request.id), ("method", request.method), ("path", request.path), ("status", String(response.statusCode)),
                ("bytes", String(response.bytesSent)), ("duration_ms", String(Double(Int(seconds * 100_000)) / 100)),
            ])
        }
    }

    // MARK: - Status and ping

    /// Answers `--status-path` and `--ping-path` for allowed clients; others go on to routing.
    private func answerStatusOrPing(_ request: Request, _ response: Response) -> Bool {
        guard request.path == options.statusPath || request.path == options.pingPath else { return false }
        guard let client = request.remoteAddress, statusClients.contains(where: { $0.contains(client) }) else { return false }
        response.setHeader("Cache-Control", "no-store")
        if request.path == options.pingPath {
            response.type("text").send("pong")
            return true
        }
        let active = state.withLock { busy }
        let queue = listenFD.map { Int(nozzle_listen_queue($0)) }.flatMap { $0 >= 0 ? $0 : nil }
        let pool = System.programName
        // Under a supervisor, the whole pool; otherwise this process.
        let snapshot = scoreboard?.pool(routeHash: status.routeHash, routes: status.routeNames.count)
            ?? status.snapshot(active: active, total: options.workers)
        if request.query["format"] == "prometheus" {
            response.type("text/plain; version=0.0.4; charset=utf-8").send(status.prometheus(snapshot, pool: pool, listenQueue: queue))
        } else {
            response.json(status.json(snapshot, pool: pool, listenQueue: queue))
        }
        return true
    }
}
