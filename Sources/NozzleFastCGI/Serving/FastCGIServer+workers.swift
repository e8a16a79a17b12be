import CNozzleSystem
import Nozzle
#if canImport(Glibc)
import Glibc
#endif

extension FastCGIServer {
    /// A worker thread: one event at a time, until the exit bell rings.
    func workerLoop(_ thread: WorkerThread) {
        thread.install()
        pool.register(thread: thread.index)
        if let failure = options.scheduling.applyToCurrentThread(), thread.index == 0 {
            System.log("nozzle: --scheduling \(options.scheduling.rawValue) could not be applied: \(failure); the worker threads keep the process's policy", level: .warning)
        }
        while true {
            pool.takeSeat()
            // One event at a time: the others stay for the other idle workers.
            let event = events.waitOne()
            pool.leaveSeat()
            guard let event else { continue }
            switch event.tag {
            case Tag.exit:
                return
            case Tag.jobs:
                let job = pool.takeJob()
                // Armed again before running: if jobs are left, another worker wakes for the next.
                events.rearm(pool.bell.fd, tag: Tag.jobs, [.readable, .oneShot])
                if let (job, executor) = job { pool.run(job, on: executor, thread: thread.index) }
            case Tag.listen:
                acceptConnections(thread: thread)
            default:
                connections.withLock { $0.find(tag: event.tag) }?.handle(event, thread: thread)
            }
        }
    }

    /// Accepts one pending connection, arms the listening socket again at once, so that another
    /// worker takes the next one while this one reads the new connection's first request.
    ///
    /// One at a time, not all that are pending: a web server that opens many connections at once
    /// (nginx past its `keepalive` connections) would otherwise have one worker serve them all in
    /// turn while the others wait, and the requests on them return to it in one late burst.
    private func acceptConnections(thread: WorkerThread) {
        guard let listenFD else { return }
        var accepted: Int32?
        while true {
            let fd = peers.accept(listenFD)
            if fd >= 0 {
                accepted = fd
                break
            }
            if fd == PeerFilter.refused { continue }
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
                // After a stop began, the socket is closed on purpose.
                guard case .serving = lifecycle.withLock({ $0.phase }) else { return }
                fatalError.withLock { $0 = System.describe(code) }
                wakeControl.ring()
                return
            }
            break
        }
        if case .serving = lifecycle.withLock({ $0.phase }) {
            events.rearm(listenFD, tag: Tag.listen, [.readable, .oneShot])
        }
        if let accepted { adoptAndRead(connection: accepted, thread: thread) }
    }
}
