import CNozzleSystem
import Nozzle
#if canImport(Glibc)
import Glibc
#endif

extension FastCGIServer {
    /// A worker thread: one event at a time, until the exit bell rings.
    func workerLoop(_ thread: WorkerThread) {
        thread.install()
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

    static let refused: Int32 = -2

    /// Accepts one connection, non-blocking: its fd; -1 with errno set when there is none or accept
    /// failed; or ``refused`` when a TCP peer is not allowed, which is logged and closed.
    func acceptAllowed(_ listenFD: Int32) -> Int32 {
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

    /// Accepts every pending connection, arms the listening socket again so that other workers take
    /// the next ones, then reads each new connection's first request on this worker.
    private func acceptConnections(thread: WorkerThread) {
        guard let listenFD else { return }
        var accepted: [Int32] = []
        defer { for fd in accepted { adoptAndRead(connection: fd, thread: thread) } }
        while true {
            let fd = acceptAllowed(listenFD)
            if fd >= 0 {
                accepted.append(fd)
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
                // After a stop began, the socket is closed on purpose.
                guard case .serving = lifecycle.withLock({ $0.phase }) else { return }
                fatalError.withLock { $0 = System.describe(code) }
                wakeControl.ring()
                return
            }
            break
        }
        guard case .serving = lifecycle.withLock({ $0.phase }) else { return }
        events.rearm(listenFD, tag: Tag.listen, [.readable, .oneShot])
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
}
