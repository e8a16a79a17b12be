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

    /// A TCP port on 127.0.0.1 that nothing listens on right now, for a server to listen on. For
    /// one that must refuse connections all along, keep a ``RefusingPort``.
    static func freePort() -> UInt16 {
        let held = RefusingPort()
        defer { held.close() }
        return held.port
    }
}
