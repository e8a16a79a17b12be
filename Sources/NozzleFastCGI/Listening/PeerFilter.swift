import CNozzleSystem
import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// Accepting connections, and the peers a TCP listener lets in: `--allow` (loopback unless given)
/// and `FCGI_WEB_SERVER_ADDRS`, for IPv4 and IPv6. A unix socket has no filter: its file
/// permissions guard it.
struct PeerFilter: Sendable {
    /// The peers let in; nil for a unix socket.
    let allowed: [AddressRange]?

    static let refused: Int32 = -2

    /// Accepts one connection, non-blocking: its fd; -1 with errno set when there is none or accept
    /// failed; or ``refused`` when a TCP peer is not allowed, which is logged and closed.
    func accept(_ listenFD: Int32) -> Int32 {
        var peer = sockaddr_storage()
        var length = socklen_t(0)
        let fd = nozzle_accept_peer(listenFD, &peer, &length)
        guard fd >= 0, let allowed else { return fd }
        guard let address = PeerFilter.address(of: &peer), allowed.contains(where: { $0.contains(address) }) else {
            let peerText = PeerFilter.address(of: &peer) ?? "an unknown address"
            System.log("nozzle: refused a connection from \(peerText): not in --allow or FCGI_WEB_SERVER_ADDRS", level: .warning)
            close(fd)
            return PeerFilter.refused
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
}
