import CNozzleSystem
#if canImport(Glibc)
import Glibc
#endif

/// Opens listening sockets ourselves: libfcgi's `FCGX_OpenSocket` calls `exit()` when bind fails and
/// unlinks a unix socket that a live server is using.
enum ListeningSocket {
    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    /// As deep as the kernel allows (net.core.somaxconn): connections that wait here are not
    /// refused, and a unix socket with a full queue makes nginx answer 502.
    static let backlog: Int32 = 65_535

    /// Opens `address`, returning the listening fd.
    static func open(_ address: ListenAddress, socketMode: UInt32?) throws(OpenError) -> Int32 {
        switch address {
        case .tcp(let host, let port): return try openTCP(host: host, port: port, address: address)
        case .unix(let path): return try openUnix(path: path, mode: socketMode)
        }
    }

    /// Whether `fd` is a socket in the listening state.
    static func isListening(_ fd: Int32) -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting != 0
    }

    /// Whether `fd` is a TCP socket (IPv4 or IPv6), whose peers `--allow` filters.
    static func isTCP(_ fd: Int32) -> Bool {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return named == 0 && (Int32(address.ss_family) == AF_INET || Int32(address.ss_family) == AF_INET6)
    }

    static func failure(_ verb: String, _ address: ListenAddress, _ code: Int32) -> OpenError {
        let reason: String
        switch code {
        case EADDRINUSE: reason = "address already in use (another server is listening there)"
        case EACCES, EPERM: reason = "permission denied"
        case EADDRNOTAVAIL: reason = "address not available on this machine"
        default: reason = System.describe(code)
        }
        return OpenError(description: "cannot \(verb) \(address): \(reason)")
    }

    static func openTCP(host: String?, port: UInt16, address: ListenAddress) throws(OpenError) -> Int32 {
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        if let host, host.contains(":") {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &addr.sin6_addr) == 1 else {
                throw OpenError(description: "cannot listen on \(address): '\(host)' is not an IPv6 address")
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: addr, as: sockaddr_in6.self) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            let text = host ?? "0.0.0.0"
            let resolved = text == "localhost" ? "127.0.0.1" : text
            guard inet_pton(AF_INET, resolved, &addr.sin_addr) == 1 else {
                throw OpenError(description: "cannot listen on \(address): '\(text)' is not an IPv4 address")
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: addr, as: sockaddr_in.self) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("open a socket for", address, errno) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw failure("listen on", address, code)
        }
        guard listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw failure("listen on", address, code)
        }
        return fd
    }

    static func openUnix(path: String, mode: UInt32?) throws(OpenError) -> Int32 {
        let address = ListenAddress.unix(path: path)
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                throw OpenError(description: "cannot listen on \(address): \(path) exists and is not a socket; refusing to replace it")
            }
            if isAlive(path) {
                throw OpenError(description: "cannot listen on \(address): a server is already listening on \(path)")
            }
            // A socket file nobody answers on is left over from a server that died: safe to replace.
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("open a socket for", address, errno) }
        // bind() creates the file; with the umask set from --socket-mode it never exists with a wider mode.
        // (Startup is still single-threaded here, so changing the process-wide umask is safe.)
        let previousMask = mode.map { umask(mode_t(~$0 & 0o777)) }
        let bound = withUnixAddress(path) { bind(fd, $0, $1) }
        let bindError = errno
        if let previousMask { umask(previousMask) }
        guard bound == 0 else {
            close(fd)
            throw failure("listen on", address, bindError)
        }
        if let mode, chmod(path, mode_t(mode)) != 0 {
            let code = errno
            close(fd)
            unlink(path)
            throw OpenError(description: "cannot set --socket-mode \(String(mode, radix: 8)) on \(path): \(System.describe(code))")
        }
        guard listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            unlink(path)
            throw failure("listen on", address, code)
        }
        return fd
    }

    /// Whether a server accepts connections on the unix socket at `path`.
    static func isAlive(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let connected = withUnixAddress(path) { connect(fd, $0, $1) }
        // EACCES means something is there that we may not talk to: treat it as alive, never unlink it.
        return connected == 0 || errno == EACCES || errno == EAGAIN
    }

    /// Calls `body` (`bind`, `connect`) with the address of the unix socket at `path`; -1 with
    /// `ENAMETOOLONG` when the path does not fit.
    static func withUnixAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else {
            errno = ENAMETOOLONG
            return -1
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8)
            buffer[path.utf8.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
