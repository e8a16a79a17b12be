import CFastCGI
import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// The FastCGI responder: one poller thread and a pool of worker threads.
///
/// The poller owns the listening socket and every idle connection, kept alive by nginx's
/// `fastcgi_keep_conn on`. When a connection has a request ready, it goes to a worker, which runs
/// libfcgi's `FCGX_Accept_r` on it (with `ipcFd` preset and no listening socket), answers it, drains
/// any unread body, and hands the connection back to the poller. No thread ever waits on an idle
/// connection, so kept connections give keep-alive throughput without the tail latency of a plain
/// `FCGX_Accept_r` loop.
package final class FastCGIServer: @unchecked Sendable {
    let app: App
    let options: ServeOptions
    let basePath: String
    let listenFD: Int32?
    let ownedSocketPath: String?
    let signalFD: Int32?
    let epoll: Int32
    let wakeFD: Int32
    let queue = ConnectionQueue()
    let ids = RequestIDs()
    let stderrWriter = StderrLogWriter()

    private let state = Lock()
    private var busy = 0
    private var stopping = false
    private var stopRequested = false
    private var idle = Set<UnsafeMutablePointer<FCGX_Request>>()

    static let listenTag: UInt64 = 1
    static let wakeTag: UInt64 = 2
    static let signalTag: UInt64 = 3

    /// A server answering requests for `app`.
    ///
    /// - Parameters:
    ///   - listenFD: a listening socket to accept on, or nil to serve only adopted connections.
    ///   - ownedSocketPath: a unix socket path this process created, removed again at stop.
    ///   - signalFD: a signalfd from ``Signals/takeOver()``, or nil to ignore signals (tests).
    init(app: App, options: ServeOptions, listenFD: Int32?, ownedSocketPath: String? = nil, signalFD: Int32?) {
        FCGX_Init()
        self.app = app
        self.options = options
        self.basePath = options.basePath ?? app.basePath
        self.listenFD = listenFD
        self.ownedSocketPath = ownedSocketPath
        self.signalFD = signalFD
        self.epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        self.wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        if let listenFD {
            _ = fcntl(listenFD, F_SETFL, fcntl(listenFD, F_GETFL) | O_NONBLOCK)
            watch(listenFD, tag: FastCGIServer.listenTag)
        }
        watch(wakeFD, tag: FastCGIServer.wakeTag)
        if let signalFD { watch(signalFD, tag: FastCGIServer.signalTag) }
    }

    deinit {
        close(epoll)
        close(wakeFD)
    }

    private func watch(_ fd: Int32, tag: UInt64) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = tag
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
    }

    /// Serves a connection that is already open, such as one end of a socketpair in a test.
    package func adopt(connection fd: Int32) {
        let request = FastCGIServer.newRequest(fd: fd)
        state.withLock { _ = idle.insert(request) }
        arm(request)
    }

    /// Asks the server to stop gracefully, from any thread.
    package func stop() {
        state.withLock { stopRequested = true }
        wake()
    }

    /// Serves until stopped by SIGTERM, SIGINT, SIGQUIT or ``stop()``; returns the exit status.
    package func run() -> Int32 {
        var threads: [pthread_t] = []
        for _ in 0..<options.workers {
            threads.append(Thread.start { [self] in workerLoop() })
        }
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var deadline: Double?
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), deadline == nil ? -1 : 50)
            if count < 0 && errno != EINTR {
                System.writeStderr("nozzle: epoll_wait failed: \(System.describe(errno))")
                return 1
            }
            for index in 0..<max(0, Int(count)) {
                let tag = events[index].data.u64
                switch tag {
                case FastCGIServer.listenTag:
                    if let failure = acceptConnections() {
                        System.writeStderr("nozzle: cannot accept connections: \(failure); exiting")
                        return 1
                    }
                case FastCGIServer.wakeTag:
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                    if deadline == nil, state.withLock({ stopRequested }) { deadline = beginStop(reason: "stop requested") }
                case FastCGIServer.signalTag:
                    for signal in Signals.read(signalFD!) {
                        switch signal {
                        case SIGTERM, SIGINT, SIGQUIT:
                            if deadline == nil { deadline = beginStop(reason: Signals.name(signal)) }
                        default:
                            System.writeStderr("nozzle: \(Signals.name(signal)) received; ignored")
                        }
                    }
                default:
                    let request = UnsafeMutablePointer<FCGX_Request>(bitPattern: UInt(tag))!
                    let ready = state.withLock { () -> Bool in
                        guard idle.remove(request) != nil else { return false }
                        busy += 1
                        return true
                    }
                    if ready { queue.push(request) }
                }
            }
            if let deadline {
                let remaining = state.withLock { busy }
                if remaining == 0 { break }
                if System.now() > deadline {
                    System.writeStderr("nozzle: shutdown timeout of \(options.shutdownTimeout)s passed with \(remaining) requests still running; exiting")
                    return 0
                }
            }
        }
        queue.close()
        for thread in threads { pthread_join(thread, nil) }
        System.writeStderr("nozzle: stopped")
        return 0
    }

    // MARK: - Poller

    /// Accepts every pending connection; returns a reason when the listening socket is unusable.
    private func acceptConnections() -> String? {
        guard let listenFD else { return nil }
        while true {
            let fd = nozzle_accept(listenFD)
            if fd >= 0 {
                adopt(connection: fd)
                continue
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EAGAIN, EWOULDBLOCK:
                return nil
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors or memory: say so, and give requests in flight a moment to free some.
                System.writeStderr("nozzle: accept failed: \(System.describe(errno)); retrying")
                usleep(10_000)
                return nil
            default:
                return System.describe(errno)
            }
        }
    }

    /// Stops accepting, closes idle connections, and returns when to give up on requests in flight.
    private func beginStop(reason: String) -> Double {
        System.writeStderr("nozzle: \(reason): stopping; finishing requests in flight (up to \(options.shutdownTimeout)s)")
        let idleNow = state.withLock { () -> Set<UnsafeMutablePointer<FCGX_Request>> in
            stopping = true
            defer { idle.removeAll() }
            return idle
        }
        if let listenFD {
            // The socket may be shared with other processes (spawn-fcgi -F): deregister before closing.
            epoll_ctl(epoll, EPOLL_CTL_DEL, listenFD, nil)
            close(listenFD)
            if let ownedSocketPath { unlink(ownedSocketPath) }
        }
        for request in idleNow {
            let fd = request.pointee.ipcFd
            var pending = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pending, 1, 0) > 0 && (pending.revents & Int16(POLLIN)) != 0 {
                // A request already arrived on this connection: answer it before leaving.
                state.withLock { busy += 1 }
                queue.push(request)
            } else {
                epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
                close(fd)
                request.deallocate()
            }
        }
        return System.now() + options.shutdownTimeout
    }

    private func arm(_ request: UnsafeMutablePointer<FCGX_Request>) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue
        event.data.u64 = UInt64(UInt(bitPattern: request))
        let fd = request.pointee.ipcFd
        if epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) != 0 {
            epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
        }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    static func newRequest(fd: Int32) -> UnsafeMutablePointer<FCGX_Request> {
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        FCGX_InitRequest(request, -1, 0)
        request.pointee.ipcFd = fd
        return request
    }

    // MARK: - Workers

    private func workerLoop() {
        let executor = WorkerExecutor()
        let drain = UnsafeMutablePointer<CChar>.allocate(capacity: 65_536)
        defer { drain.deallocate() }
        while let request = queue.pop() {
            // So that the Finish inside Accept_r leaves the preset connection open.
            request.pointee.keepConnection = 1
            if FCGX_Accept_r(request) < 0 {
                // The peer closed the connection, or sent something that is not FastCGI; libfcgi closed it.
                request.deallocate()
                finishedOne()
                continue
            }
            serve(request, executor: executor)
            // Unread body (a 413, a route that ignored it) would be read as the next request's header.
            // Send the answer first, so nginx has it while the rest of the body is drained; never
            // reset the connection while nginx is still sending, or the client gets a 502.
            if let input = request.pointee.in, FCGX_HasSeenEOF(input) == 0 {
                _ = FCGX_FFlush(request.pointee.out)
                while FCGX_GetStr(drain, 65_536, input) > 0 {}
            }
            FCGX_Finish_r(request)
            if request.pointee.ipcFd >= 0 {
                let keep = state.withLock { () -> Bool in
                    if stopping { return false }
                    idle.insert(request)
                    return true
                }
                if keep {
                    arm(request)
                } else {
                    let fd = request.pointee.ipcFd
                    epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
                    close(fd)
                    request.deallocate()
                }
            } else {
                request.deallocate()
            }
            finishedOne()
        }
    }

    private func finishedOne() {
        let wakePoller = state.withLock { () -> Bool in
            busy -= 1
            return stopping && busy == 0
        }
        if wakePoller { wake() }
    }

    private func serve(_ fcgx: UnsafeMutablePointer<FCGX_Request>, executor: WorkerExecutor) {
        let environment = FastCGIServer.environment(fcgx.pointee.envp)
        let logWriter: any LogWriter =
            options.logToFastCGIStderr ? FastCGILogWriter(stderrStream: fcgx.pointee.err) : stderrWriter
        let request = Request(
            environment: environment,
            body: FastCGIBodySource(fcgx.pointee.in),
            basePath: basePath,
            id: ids.next(),
            logWriter: logWriter
        )
        let response = Response(sink: FastCGIResponseSink(fcgx), method: request.method, log: request.log)
        let app = self.app
        executor.run {
            await app.respond(to: request, response)
        }
    }

    /// The FastCGI params as a dictionary.
    static func environment(_ envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String: String] {
        var environment = [String: String](minimumCapacity: 32)
        guard var cursor = envp else { return environment }
        while let entry = cursor.pointee {
            let length = strlen(entry)
            entry.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                let buffer = UnsafeBufferPointer(start: bytes, count: length)
                if let equals = buffer.firstIndex(of: UInt8(ascii: "=")) {
                    let name = String(decoding: buffer[..<equals], as: UTF8.self)
                    environment[name] = String(decoding: buffer[(equals + 1)...], as: UTF8.self)
                }
            }
            cursor += 1
        }
        return environment
    }
}
