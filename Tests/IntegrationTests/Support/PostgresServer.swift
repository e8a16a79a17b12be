import Foundation

/// A PostgreSQL server from Debian's `postgresql` package: a cluster of its own in a temporary
/// directory, on a random port, with trust authentication for the user `postgres` from its own subnet. Durability is
/// off (fsync), which tests do not need. As root, it runs as the `postgres` user, as PostgreSQL
/// insists; inside a network namespace when given one.
final class PostgresServer: @unchecked Sendable {
    let directory: URL
    let host: String
    let port: UInt16
    let namespace: NetworkNamespace?
    private(set) var process: RunningProcess?

    /// The directory of the newest PostgreSQL installed, such as `/usr/lib/postgresql/15/bin`.
    static let binaries: String? = {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        return versions.compactMap(Int.init).max().map { "/usr/lib/postgresql/\($0)/bin" }
    }()

    /// Creates the cluster and starts the server on `host`.
    init(host: String = "127.0.0.1", port: UInt16? = nil, namespace: NetworkNamespace? = nil, in directory: URL? = nil) throws {
        guard let binaries = Self.binaries else {
            throw SetupError(what: "PostgreSQL is not installed: scripts/install-deps.sh installs the postgresql package")
        }
        self.directory = directory ?? Paths.temporaryDirectory()
        self.host = host
        self.port = port ?? Paths.freePort()
        self.namespace = namespace
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        chmod(self.directory.path, 0o755)
        let data = self.directory.appending(path: "data")
        if getuid() == 0 {
            guard let account = getpwnam("postgres") else { throw SetupError(what: "no postgres user: is the postgresql package installed?") }
            chown(self.directory.path, account.pointee.pw_uid, account.pointee.pw_gid)
        }
        let initdb = try RunningProcess.run(
            "/usr/bin/env", asPostgres(["\(binaries)/initdb", "-D", data.path, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]),
            in: self.directory, timeout: 60)
        guard initdb.status == 0 else { throw SetupError(what: "initdb failed: \(initdb.stdout)\(initdb.stderr)") }
        // initdb trusts loopback only; the app hosts of a VirtualNetwork share the server's subnet.
        let hba = try FileHandle(forWritingTo: data.appending(path: "pg_hba.conf"))
        hba.seekToEndOfFile()
        hba.write(Data("host all all samenet trust\n".utf8))
        try hba.close()
        try start()
    }

    deinit { stop() }

    /// The URL the app takes as `DATABASE_URL`, for `database`.
    func url(database: String = "postgres") -> String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "postgres://postgres@\(shown):\(port)/\(database)?sslmode=disable"
    }

    /// Starts the server (again) and waits until it answers.
    func start() throws {
        guard let binaries = Self.binaries else { return }
        process = try RunningProcess("/usr/bin/env", inNamespace(asPostgres([
            "\(binaries)/postgres", "-D", directory.appending(path: "data").path, "-k", directory.path, "-p", String(port),
            "-c", "listen_addresses=\(host)", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=300",
        ])), in: directory)
        guard eventually(timeout: 30, { (try? query("SELECT 1")) == "1" }) else {
            throw SetupError(what: "PostgreSQL did not start: \(process?.stderr ?? "")")
        }
    }

    /// Stops the server with a fast shutdown (SIGINT): clients are disconnected at once.
    func stop() {
        guard let process else { return }
        process.signal(SIGINT)
        if process.waitForExit(timeout: 20) == nil { process.signal(SIGQUIT) }
        _ = process.waitForExit(timeout: 5)
        self.process = nil
    }

    /// Runs `sql` with psql over TCP and returns its unaligned output, trimmed.
    func query(_ sql: String, database: String = "postgres") throws -> String {
        let result = try RunningProcess.run(
            "/usr/bin/env", inNamespace(["psql", "-h", host, "-p", String(port), "-U", "postgres", "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]),
            in: directory, timeout: 30)
        guard result.status == 0 else { throw SetupError(what: "psql -c \(sql) failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A new empty database, and its URL.
    func createDatabase() throws -> String {
        let name = "test_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try query("CREATE DATABASE \(name)")
        return url(database: name)
    }

    private func asPostgres(_ command: [String]) -> [String] {
        getuid() == 0 ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] + command : command
    }

    private func inNamespace(_ command: [String]) -> [String] {
        namespace.map { $0.prefix + command } ?? command
    }
}
