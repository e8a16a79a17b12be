import Foundation

/// A PostgreSQL connection URL, as libpq and most tools read it:
/// `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable`.
///
/// - `postgresql://` works as well as `postgres://`; user and password may be percent-encoded.
/// - The port is 5432 unless given; the database is the user's name unless given.
/// - Query parameters override the parts before them, as libpq reads them: `?host=` (a name, or a
///   unix socket's directory: `postgres://app@/users?host=/run/postgresql`), `port`, `user`,
///   `password` and `dbname`.
/// - `sslmode`: `disable`, `prefer` (the default, as libpq's) or `require`. Certificates are not
///   checked against a CA, as libpq's `require` does not check them either.
/// - `pool_max_conns` and `pool_min_conns`, as Go's pgx names them: the most connections each worker
///   process's pool opens (8 unless given, at most 1,000), and how many it keeps while idle (all of
///   them unless given). The pool opens its minimum at start and reopens any that closes; those over
///   it close after a minute idle. A pool that keeps all it opens has no timer to set or cancel each
///   time a connection goes back to it, which in PostgresNIO's pool are three tasks each.
struct DatabaseURL: Equatable, CustomStringConvertible {
    enum Endpoint: Equatable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    enum TLSMode: String, Equatable {
        case disable, prefer, require
    }

    var endpoint: Endpoint
    var username: String
    var password: String?
    var database: String
    var tls: TLSMode
    var maxConnections: Int
    var minConnections: Int

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(_ text: String) throws(Invalid) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw Invalid(description: "not a URL: expected postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw Invalid(description: "the scheme is \(scheme)://; expected postgres:// or postgresql://")
        }
        func decoded(_ part: String?) -> String? { part.flatMap { $0.removingPercentEncoding ?? $0 } }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        guard let user = query["user"] ?? decoded(components.percentEncodedUser), !user.isEmpty else {
            throw Invalid(description: "no user name: expected postgres://USER@HOST/DATABASE")
        }
        username = user
        password = query["password"] ?? decoded(components.percentEncodedPassword)
        let port: Int
        if let text = query["port"] {
            guard let number = Int(text) else { throw Invalid(description: "port \(text) is not a number") }
            port = number
        } else {
            port = components.port ?? 5432
        }
        guard (1...65535).contains(port) else { throw Invalid(description: "port \(port) is out of range") }
        var host = query["host"] ?? decoded(components.percentEncodedHost) ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasPrefix("/") {
            endpoint = .unixSocket(path: "\(host)/.s.PGSQL.\(port)")
        } else if !host.isEmpty {
            endpoint = .tcp(host: host, port: port)
        } else {
            throw Invalid(description: "no host: expected postgres://USER@HOST/DATABASE, or ?host=/socket/directory")
        }
        let path = decoded(components.percentEncodedPath) ?? ""
        database = query["dbname"] ?? (path.count > 1 ? String(path.dropFirst()) : user)
        guard !database.contains("/") else { throw Invalid(description: "the database name \(database) has a /") }
        let mode = query["sslmode"] ?? "prefer"
        guard let tls = TLSMode(rawValue: mode) else {
            throw Invalid(description: "sslmode=\(mode) is not supported: use disable, prefer or require")
        }
        self.tls = tls
        func count(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(Invalid) -> Int {
            guard let text = query[name] else { return value }
            guard let number = Int(text), range.contains(number) else {
                throw Invalid(description: "\(name)=\(text) is not a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        maxConnections = try count("pool_max_conns", default: 8, in: 1...1000)
        minConnections = try count("pool_min_conns", default: maxConnections, in: 0...maxConnections)
        let known: Set = ["sslmode", "host", "port", "user", "password", "dbname", "pool_max_conns", "pool_min_conns"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw Invalid(description: "unknown parameter \(unknown): this app reads sslmode, host, port, user, password, dbname, pool_max_conns and pool_min_conns")
        }
    }

    /// The URL without its password, for log lines and error messages.
    var description: String {
        let credentials = password == nil ? username : "\(username):***"
        switch endpoint {
        case .tcp(let host, let port):
            let shown = host.contains(":") ? "[\(host)]" : host
            return "postgres://\(credentials)@\(shown):\(port)/\(database)"
        case .unixSocket(let path):
            return "postgres://\(credentials)@/\(database)?host=\(path)"
        }
    }
}
