import CNozzleSystem
import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// How the worker processes of a pool show each other what they have in flight, for the status
/// page's `?full`: whichever worker nginx asks must list the whole pool's requests.
///
/// The supervisor makes a directory only the pool's user can enter (`NOZZLE_STATUS_DIR`); each
/// worker listens there on a Unix socket named after its pid, and its control thread answers
/// whoever connects with its requests as a JSON array, then closes. The worker answering `?full`
/// connects to every other socket in turn, each with a one-second limit, so a stuck process delays
/// the page but never hangs it.
struct StatusPeers: Sendable {
    static let environmentName = "NOZZLE_STATUS_DIR"
    /// The most one worker's answer may take: about 50,000 requests.
    static let answerLimit = 16 << 20

    let directory: String
    /// This worker's listening socket.
    let listenFD: Int32

    /// The supervisor's directory: a fresh one under `TMPDIR` (or `/tmp`), mode 0700.
    static func makeDirectory(environment: [String: String]) -> String? {
        var base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        // A socket's path must fit in 108 bytes, with the pid after it.
        if base.utf8.count > 60 { base = "/tmp" }
        var template = Array((base + "/nozzle-status-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { return nil }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes the directory and whatever sockets are left in it.
    static func removeDirectory(_ directory: String) {
        if let dir = opendir(directory) {
            while let entry = readdir(dir) {
                let name = Self.entryName(entry)
                if name != "." && name != ".." { unlink(directory + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(directory)
    }

    /// A worker's socket in the directory its supervisor named; nil without one.
    static func open(environment: [String: String]) -> StatusPeers? {
        guard let directory = environment[environmentName] else { return nil }
        let path = directory + "/" + String(getpid())
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return nil }
        guard ListeningSocket.withUnixAddress(path, { bind(fd, $0, $1) }) == 0, listen(fd, 16) == 0 else {
            System.log("nozzle: cannot listen on \(path) for the status page's ?full: \(System.describe(errno))", level: .warning)
            close(fd)
            return nil
        }
        return StatusPeers(directory: directory, listenFD: fd)
    }

    /// Answers every worker that asked, with `body`'s bytes; on the control thread.
    func answer(_ body: () -> [UInt8]) {
        var bytes: [UInt8]?
        while true {
            let fd = accept4(listenFD, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
            guard fd >= 0 else { return }
            var limit = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            if bytes == nil { bytes = body() }
            bytes!.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { break }
                    offset += written
                }
            }
            close(fd)
        }
    }

    /// A directory entry's name.
    private static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafeBytes(of: entry.pointee.d_name) { bytes in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// What every other worker of the pool has in flight.
    func gather() -> [LiveRequest] {
        guard let dir = opendir(directory) else { return [] }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = Self.entryName(entry)
            if let pid = Int32(name), pid != getpid() { names.append(name) }
        }
        closedir(dir)
        var requests: [LiveRequest] = []
        for name in names {
            guard let bytes = Self.ask(directory + "/" + name), let list = try? JSON(parsing: bytes).arrayValue else { continue }
            requests += list.compactMap(LiveRequest.init(json:))
        }
        return requests
    }

    /// One worker's answer; nil when it did not give one within a second.
    private static func ask(_ path: String) -> [UInt8]? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var limit = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard ListeningSocket.withUnixAddress(path, { connect(fd, $0, $1) }) == 0 else { return nil }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while bytes.count < answerLimit {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
        return nil
    }
}
