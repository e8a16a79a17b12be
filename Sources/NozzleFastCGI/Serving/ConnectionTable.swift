import CFastCGI

/// The server's open connections, indexed by file descriptor; guarded by the server's lock.
///
/// A connection is idle (armed in epoll, waiting for nginx's next request) or claimed by the worker
/// answering it. Indexing by descriptor needs no hashing, and the epoll event carries the
/// descriptor, never a pointer that a stop may already have freed.
struct ConnectionTable {
    private var requests: [UnsafeMutablePointer<FCGX_Request>?] = []
    private var idle: [Bool] = []
    /// Whether the connection has not carried a request yet: nginx opens one only to send a request.
    private var fresh: [Bool] = []

    /// Records `request` as idle on its descriptor; `fresh` for a connection just accepted.
    mutating func insertIdle(_ request: UnsafeMutablePointer<FCGX_Request>, fresh isFresh: Bool = false) {
        let fd = Int(request.pointee.ipcFd)
        if fd >= requests.count {
            let size = max(fd + 1, requests.count * 2, 64)
            requests += [UnsafeMutablePointer<FCGX_Request>?](repeating: nil, count: size - requests.count)
            idle += [Bool](repeating: false, count: size - idle.count)
            fresh += [Bool](repeating: false, count: size - fresh.count)
        }
        requests[fd] = request
        idle[fd] = true
        fresh[fd] = isFresh
    }

    /// Whether the idle connection on `fd` has not carried a request yet.
    func isFresh(_ fd: Int) -> Bool { fd < fresh.count && fresh[fd] }

    /// The idle connection on `fd`, now claimed by the caller; nil when there is none.
    mutating func claim(_ fd: Int) -> UnsafeMutablePointer<FCGX_Request>? {
        guard fd < requests.count, idle[fd], let request = requests[fd] else { return nil }
        idle[fd] = false
        return request
    }

    /// Whether an idle connection is on `fd`.
    func isIdle(_ fd: Int) -> Bool { fd < idle.count && idle[fd] }

    /// Forgets `request`, unless its descriptor already belongs to a newer connection.
    mutating func remove(_ request: UnsafeMutablePointer<FCGX_Request>, fd: Int) {
        guard fd >= 0, fd < requests.count, requests[fd] == request else { return }
        requests[fd] = nil
        idle[fd] = false
    }

    /// The descriptors of the idle connections.
    func idleConnections() -> [Int] {
        requests.indices.filter { idle[$0] && requests[$0] != nil }
    }
}
