/// The server's open connections, indexed by descriptor; guarded by the server.
///
/// An event carries a tag of the descriptor and a generation, never a pointer: an event that was
/// on its way while its connection closed, and the descriptor went to a new connection, finds no
/// match and is dropped.
struct ConnectionTable {
    private var connections: [FastCGIConnection?] = []
    private var generation: UInt64 = 0

    /// A tag for a new connection on `fd`.
    mutating func nextTag(for fd: Int32) -> UInt64 {
        // 31 bits of generation: the top bit marks the server's own tags.
        generation = (generation + 1) & 0x7FFF_FFFF
        return UInt64(UInt32(bitPattern: fd)) | generation << 32
    }

    mutating func insert(_ connection: FastCGIConnection) {
        let fd = Int(connection.fd)
        if fd >= connections.count {
            connections += [FastCGIConnection?](repeating: nil, count: max(fd + 1, connections.count * 2, 64) - connections.count)
        }
        connections[fd] = connection
    }

    /// The connection an event's tag names, if it is still open.
    func find(tag: UInt64) -> FastCGIConnection? {
        let fd = Int(tag & 0xFFFF_FFFF)
        guard fd < connections.count, let connection = connections[fd], connection.tag == tag else { return nil }
        return connection
    }

    mutating func remove(_ connection: FastCGIConnection) {
        let fd = Int(connection.fd)
        guard fd < connections.count, connections[fd] === connection else { return }
        connections[fd] = nil
    }

    /// Every open connection.
    var all: [FastCGIConnection] { connections.compactMap { $0 } }
}
