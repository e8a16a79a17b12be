import CNozzleSystem
import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// The control loop, on the main thread: signals, stop requests, the watchdog, `--max-memory`, the
/// deadlines of draining and lingering connections, and the graceful stop's progress.
extension FastCGIServer {
    /// Tells a supervisor this worker serves: one byte on the pipe it named.
    func announceReadiness() {
        guard let fd = readyFD else { return }
        var byte: UInt8 = 1
        _ = write(fd, &byte, 1)
        close(fd)
    }

    /// Signals, stop requests, the watchdog and the stop's progress, until the server may exit.
    func controlLoop() -> Int32 {
        let watchdogLimit = options.requestTimeout.map { 2 * $0 }
        let mayRest = pool.mayRest
        var lookSoon = false
        var nextChecks = 0.0
        while true {
            // Wake at least every 100 ms: the watchdog, lingering connections and the stop's deadline.
            // With resting threads, look at the seats every 20 ms, and every 2 ms while threads are busy.
            // While a connection drains an answered body or lingers, look every 10 ms: a body that
            // stalls is answered with its END_REQUEST soon after.
            let timed = !lingering.withLock { $0.isEmpty }
            let event = control.waitOne(milliseconds: mayRest ? (lookSoon ? 2 : (timed ? 10 : 20)) : (timed ? 10 : 100))
            if mayRest { lookSoon = pool.lookAtSeats() }
            if event == nil, case let now = System.now(), now < nextChecks {
                if timed { expireLingering(now: now) }
                continue
            }
            if let event {
                switch event.tag {
                case Tag.wake:
                    wakeControl.silence()
                    if let failure = fatalError.withLock({ $0 }) {
                        System.log("nozzle: cannot accept connections: \(failure); exiting", level: .error)
                        return 1
                    }
                    if stopRequested.load(ordering: .acquiring) { beginStop(reason: stopReason.withLock { $0 } ?? "stop requested") }
                case Tag.statusPeers:
                    answerStatusPeers()
                case Tag.lifeline:
                    beginStop(reason: "the supervisor is gone")
                    if let lifelineFD { control.remove(lifelineFD) }
                case Tag.signal:
                    for signal in Signals.read(signalFD!) {
                        switch signal {
                        case SIGTERM, SIGINT, SIGQUIT: beginStop(reason: Signals.name(signal))
                        case SIGUSR1: LogOutput.shared.reopen()
                        default: System.log("nozzle: \(Signals.name(signal)) received; ignored", level: .notice)
                        }
                    }
                default:
                    break
                }
            }
            let now = System.now()
            nextChecks = now + 0.1
            if options.recycling.maxMemory != nil, let resident = System.residentBytes(),
                let reason = options.recycling.memoryReason(residentBytes: resident)
            {
                beginStop(reason: reason)
            }
            if let watchdogLimit, let (seconds, label) = pool.longestJob(now: now), seconds > watchdogLimit {
                // A handler that never yields its thread cannot be cancelled: only a fresh process helps.
                System.log("nozzle: \(label) has run \(String(format1: seconds)) s on a worker thread without yielding, past twice --request-timeout; ending this worker process so a fresh one replaces it", level: .error)
                _exit(70)
            }
            expireLingering(now: now)
            logSlowRequests(now: now)
            let holdingUp = connections.withLock { $0.all }.count { $0.holdsUpStop }
            let afterWork = pipeline.app.afterResponse
            publishAfterResponse()
            let check = lifecycle.withLock { $0.check(now: now, connectionsHoldingUp: holdingUp, afterResponse: afterWork.pending) }
            if case .exit(let status, let unfinished, let afterResponse)? = check {
                if unfinished > 0 {
                    System.log("nozzle: shutdown timeout of \(options.shutdownTimeout)s passed with \(unfinished) requests still in flight; exiting", level: .warning)
                }
                if afterResponse > 0 {
                    afterWork.cancelAll()
                    System.log("nozzle: shutdown timeout of \(options.shutdownTimeout)s passed with \(afterResponse) after-response tasks unfinished; cancelled them; exiting", level: .warning)
                }
                return status
            }
        }
    }

    /// Stops accepting, closes idle connections, and lets the requests in flight finish.
    func beginStop(reason: String) {
        guard lifecycle.withLock({ $0.stop(now: System.now(), timeout: options.shutdownTimeout) }) else { return }
        let afterResponse = pipeline.app.afterResponse.pending
        let work = afterResponse > 0 ? " and \(afterResponse) after-response tasks" : ""
        System.log("nozzle: \(reason): stopping; finishing requests in flight\(work) (up to \(options.shutdownTimeout)s)")
        if let listenFD {
            // The socket may be shared with other processes (spawn-fcgi -F): deregister before closing.
            events.remove(listenFD)
            // Connections already queued on the socket came before the stop: take them and answer them.
            while true {
                let fd = peers.accept(listenFD)
                if fd == PeerFilter.refused { continue }
                guard fd >= 0 else { break }
                adopt(connection: fd)
            }
            close(listenFD)
            if let ownedSocketPath { unlink(ownedSocketPath) }
        }
        // Idle connections close now; the rest after their request. A connection that has not
        // carried its first request stays: nginx opened it to send one, and would not retry it.
        for connection in connections.withLock({ $0.all }) { _ = connection.closeForStop() }
    }

    /// Checks the deadlines of the connections that drain an answered body or linger.
    func expireLingering(now: Double) {
        for connection in lingering.withLock({ $0 }) { connection.expireLinger(now: now) }
    }
}
