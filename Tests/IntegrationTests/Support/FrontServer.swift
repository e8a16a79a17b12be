import Foundation

/// Apache, lighttpd, Caddy, HAProxy or h2o in the foreground on a random loopback port, from a
/// configuration written into a temporary directory: the other web servers the deployment guide covers.
final class FrontServer: @unchecked Sendable {
    let directory: URL
    let port: UInt16
    let process: RunningProcess

    /// Starts Apache with the modules it needs, `body` appended to a minimal main configuration.
    static func apache(_ body: String, in directory: URL) throws -> FrontServer {
        let port = Paths.freePort()
        let modules = ["mpm_event", "authz_core", "proxy", "proxy_fcgi", "cgid", "alias", "rewrite", "dir"]
            .map { "LoadModule \($0)_module /usr/lib/apache2/modules/mod_\($0).so" }.joined(separator: "\n")
        let config = """
            ServerRoot "\(directory.path)"
            ServerName 127.0.0.1
            Listen 127.0.0.1:\(port)
            DefaultRuntimeDir "\(directory.path)/logs"
            PidFile "\(directory.path)/logs/httpd.pid"
            ErrorLog "\(directory.path)/logs/error.log"
            LogLevel info
            # As root, Apache serves as www-data, as on a Debian server.
            User www-data
            Group www-data
            \(modules)
            ScriptSock "\(directory.path)/logs/cgid.sock"
            DocumentRoot "\(directory.path)/htdocs"
            \(body)
            """
        try FileManager.default.createDirectory(at: directory.appending(path: "logs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appending(path: "htdocs"), withIntermediateDirectories: true)
        let file = directory.appending(path: "httpd.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let process = try RunningProcess("/usr/sbin/apache2", ["-f", file.path, "-DFOREGROUND"], in: directory)
        return try FrontServer(directory: directory, port: port, process: process)
    }

    /// Starts lighttpd with `body` appended to a minimal configuration.
    static func lighttpd(_ body: String, in directory: URL) throws -> FrontServer {
        let port = Paths.freePort()
        let config = """
            server.document-root = "\(directory.path)"
            server.bind = "127.0.0.1"
            server.port = \(port)
            server.errorlog = "\(directory.path)/logs/error.log"
            \(body)
            """
        try FileManager.default.createDirectory(at: directory.appending(path: "logs"), withIntermediateDirectories: true)
        let file = directory.appending(path: "lighttpd.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let process = try RunningProcess("/usr/sbin/lighttpd", ["-D", "-f", file.path], in: directory)
        return try FrontServer(directory: directory, port: port, process: process)
    }

    /// Starts Caddy with a Caddyfile whose site address is `example.com`, served here on plain HTTP.
    static func caddy(_ caddyfile: String, in directory: URL) throws -> FrontServer {
        let port = Paths.freePort()
        let config = """
            {
            \tadmin off
            \tauto_https off
            }
            \(caddyfile.replacingOccurrences(of: "example.com {", with: "http://127.0.0.1:\(port) {"))
            """
        try FileManager.default.createDirectory(at: directory.appending(path: "logs"), withIntermediateDirectories: true)
        let file = directory.appending(path: "Caddyfile")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let home = directory.path
        let process = try RunningProcess(
            "/usr/bin/caddy", ["run", "--config", file.path, "--adapter", "caddyfile"],
            environment: ProcessInfo.processInfo.environment.merging(["HOME": home, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home]) { $1 },
            in: directory)
        return try FrontServer(directory: directory, port: port, process: process)
    }

    /// Starts HAProxy with a configuration whose frontend binds `:8080`, bound here to loopback.
    static func haproxy(_ configuration: String, in directory: URL) throws -> FrontServer {
        let port = Paths.freePort()
        try FileManager.default.createDirectory(at: directory.appending(path: "logs"), withIntermediateDirectories: true)
        let file = directory.appending(path: "haproxy.cfg")
        try configuration.replacingOccurrences(of: "bind :8080", with: "bind 127.0.0.1:\(port)").write(to: file, atomically: true, encoding: .utf8)
        let process = try RunningProcess("/usr/sbin/haproxy", ["-db", "-f", file.path], in: directory)
        return try FrontServer(directory: directory, port: port, process: process)
    }

    /// Starts h2o with a configuration that listens on `8080`, here on loopback.
    static func h2o(_ configuration: String, in directory: URL) throws -> FrontServer {
        let port = Paths.freePort()
        try FileManager.default.createDirectory(at: directory.appending(path: "logs"), withIntermediateDirectories: true)
        let file = directory.appending(path: "h2o.conf")
        let config = configuration.replacingOccurrences(of: "listen: 8080", with: "listen:\n  host: 127.0.0.1\n  port: \(port)")
            + "error-log: \(directory.path)/logs/error.log\n"
        try config.write(to: file, atomically: true, encoding: .utf8)
        let process = try RunningProcess("/usr/bin/h2o", ["-c", file.path], in: directory)
        return try FrontServer(directory: directory, port: port, process: process)
    }

    /// Waits for the server to answer; Apache, lighttpd and h2o write their error log to
    /// `logs/error.log`, Caddy and HAProxy to stderr.
    private init(directory: URL, port: UInt16, process: RunningProcess) throws {
        self.directory = directory
        self.port = port
        self.process = process
        let url = "http://127.0.0.1:\(port)/"
        guard eventually({ (try? HTTP.request("GET", url, in: directory))?.status ?? 0 > 0 }) else {
            throw SetupError(what: "the web server did not start: \(process.stderr)\(errorLog)")
        }
    }

    deinit {
        process.signal(SIGTERM)
        _ = process.waitForExit(timeout: 5)
    }

    func request(_ method: String, _ path: String, headers: [String] = [], body: String? = nil, bodyFile: URL? = nil, chunked: Bool = false) throws -> HTTPResult {
        try HTTP.request(method, "http://127.0.0.1:\(port)\(path)", headers: headers, body: body, bodyFile: bodyFile, chunked: chunked, in: directory)
    }

    var errorLog: String { ((try? String(contentsOf: directory.appending(path: "logs/error.log"), encoding: .utf8)) ?? "") + process.stderr }
}
