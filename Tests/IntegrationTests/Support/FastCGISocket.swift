import Foundation
import NozzleTesting

/// FastCGI connections to an app under test, over a unix socket or TCP.
enum FastCGISocket {
    static func connect(unix path: String) throws -> FastCGIWireClient {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8 + [0]) }
        let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard result == 0 else { throw SetupError(what: "connect \(path): \(String(cString: strerror(errno)))") }
        return FastCGIWireClient(fd: fd)
    }

    static func connect(host: String, port: UInt16) throws -> FastCGIWireClient {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let first = info else { throw SetupError(what: "resolve \(host)") }
        defer { freeaddrinfo(info) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard Glibc.connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            close(fd)
            throw SetupError(what: "connect \(host):\(port): \(String(cString: strerror(errno)))")
        }
        return FastCGIWireClient(fd: fd)
    }
}
