import Foundation

/// An app binary on a unix socket with real nginx in front of it, on a random loopback port and a
/// temporary prefix, using the shipped `nginx/nozzle.conf`.
final class NginxFrontedApp: @unchecked Sendable {
    let directory: URL
    let port: UInt16
    let socket: String
    let app: RunningProcess?
    let nginx: RunningProcess
    /// Whether the directory stays when the stack stops: it does when the caller gave it.
    private let keepsDirectory: Bool

    /// Starts `binary` with `--listen`, or, with `viaSpawnFCGI`, under spawn-fcgi.
    ///
    /// - Parameters:
    ///   - overTCP: the app listens on a loopback TCP port, and nginx uses `nginx/nozzle-tcp.conf`.
    ///   - environment: variables to set for the app, besides the test run's own.
    ///   - directory: the stack's directory, which is the app's working directory; a new one unless given.
    init(binary: String, executable: String? = nil, arguments: [String] = [], environment: [String: String] = [:], overTCP: Bool = false, viaSpawnFCGI: Bool = false, extraLocationDirectives: String = "", directory: URL? = nil) throws {
        keepsDirectory = directory != nil
        self.directory = directory ?? Paths.temporaryDirectory()
        let directory = self.directory
        port = Paths.freePort()
        socket = overTCP ? "127.0.0.1:\(Paths.freePort())" : directory.appending(path: "app.sock").path
        let written = try RunningProcess.run(
            Paths.root.appending(path: "nginx/write-config.sh").path,
            [directory.path, String(port), socket, extraLocationDirectives],
            environment: overTCP ? ProcessInfo.processInfo.environment.merging(["SERVER_BLOCK": "nozzle-tcp.conf"]) { $1 } : nil,
            in: directory)
        guard written.status == 0 else { throw SetupError(what: "write-config.sh failed: \(written.stderr)") }
        if viaSpawnFCGI {
            app = try RunningProcess("/usr/bin/spawn-fcgi", ["-n", "-s", socket, "-M", "0666", "--", Paths.binary(binary)] + arguments, in: directory)
        } else {
            let appEnvironment = environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            app = try RunningProcess(
                executable ?? Paths.binary(binary), (overTCP ? ["--listen", socket] : ["--listen", "unix:\(socket)", "--socket-mode", "0666"]) + arguments,
                environment: appEnvironment, in: directory)
        }
        nginx = try RunningProcess("/usr/sbin/nginx", [
            "-p", directory.path, "-c", directory.appending(path: "nginx.conf").path,
            "-e", directory.appending(path: "logs/error.log").path, "-g", "daemon off;",
        ], in: directory)
        let socketPath = socket
        guard overTCP || eventually({ FileManager.default.fileExists(atPath: socketPath) }) else {
            throw SetupError(what: "the app did not create its socket: \(app?.stderr ?? "")")
        }
        let url = "http://127.0.0.1:\(port)/"
        let dir = directory
        guard eventually({ (try? HTTP.request("GET", url, in: dir))?.status ?? 0 > 0 }) else {
            throw SetupError(what: "nginx did not start: \(nginx.stderr)")
        }
    }

    deinit {
        nginx.signal(SIGQUIT)
        _ = nginx.waitForExit(timeout: 5)
        app?.signal(SIGTERM)
        _ = app?.waitForExit(timeout: 5)
        if !keepsDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    func get(_ path: String, headers: [String] = []) throws -> HTTPResult {
        try HTTP.request("GET", "http://127.0.0.1:\(port)\(path)", headers: headers, in: directory)
    }

    func request(_ method: String, _ path: String, headers: [String] = [], body: String? = nil, bodyFile: URL? = nil, chunked: Bool = false, extra: [String] = []) throws -> HTTPResult {
        try HTTP.request(method, "http://127.0.0.1:\(port)\(path)", headers: headers, body: body, bodyFile: bodyFile, chunked: chunked, extra: extra, in: directory)
    }

    /// A file of `size` bytes in the stack's directory.
    func file(size: Int, name: String = "upload-\(UUID().uuidString.prefix(6))") throws -> URL {
        try Upload.file(size: size, at: directory.appending(path: name))
    }

    /// The app's resident memory and its peak, in kB, from /proc.
    func appMemory() -> (rss: Int, peak: Int) {
        guard let pid = app?.pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            status.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? 0
        }
        return (field("VmRSS:"), field("VmHWM:"))
    }

    var errorLog: String { (try? String(contentsOf: directory.appending(path: "logs/error.log"), encoding: .utf8)) ?? "" }
}

struct SetupError: Error, CustomStringConvertible {
    var what: String
    var description: String { what }
}
