import Foundation

/// Where the built binaries and the repository are.
enum Paths {
    /// The build's bin directory: the test bundle runs from it.
    static let bin: URL = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent()
    }()

    /// The repository root.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func binary(_ name: String) -> String { bin.appending(path: name).path }

    /// A new empty temporary directory that others can traverse (nginx workers may run as nobody).
    /// It lies inside one directory for the whole test run, which goes when the test process exits.
    static func temporaryDirectory() -> URL {
        let url = runDirectory.appending(path: String(UUID().uuidString.prefix(8)))
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o755)
        return url
    }

    /// The test run's directory, removed at exit.
    private static let runDirectory: URL = {
        let url = FileManager.default.temporaryDirectory.appending(path: "nozzle-test-\(getpid())-\(UUID().uuidString.prefix(4))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o755)
        runDirectoryPath = strdup(url.path)
        atexit {
            guard let path = runDirectoryPath.map({ String(cString: $0) }) else { return }
            // A server that is still stopping may write a last log line meanwhile: try again then.
            for _ in 0..<5 where FileManager.default.fileExists(atPath: path) {
                try? FileManager.default.removeItem(atPath: path)
                if FileManager.default.fileExists(atPath: path) { usleep(200_000) }
            }
        }
        return url
    }()
    nonisolated(unsafe) private static var runDirectoryPath: UnsafeMutablePointer<CChar>?

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: address.sin_port)
    }
}
