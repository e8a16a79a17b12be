import Foundation
import NIOSSL
import NozzleFastCGI
import PostgresNIO
import Synchronization
import Tracing

/// A PostgreSQL server that every app machine shares, through PostgresNIO's client and its pool of
/// connections. Queries are awaited: a request waiting for the database holds no thread.
///
/// Each query has the database timeout (`--database-timeout`, 2 seconds unless set). One that meets
/// an unreachable database (a connection error, a server shutting down, or no answer in time) opens
/// the ``DatabaseCircuit``: requests get 503 at once until a probe, every quarter second, gets
/// through. The probe uses a new client, which then replaces the old one, so that recovery does not
/// wait out the old pool's back-off after a long outage.
final class PostgresDatabase: Sendable {
    let url: DatabaseURL
    let timeout: Duration
    private let logger = ProcessLog.logger(label: "postgres")
    private let current: Mutex<RunningClient>
    private let circuit = Mutex(DatabaseCircuit())

    /// A client and the task that runs its pool; cancelling the task closes the client.
    private struct RunningClient: Sendable {
        let client: PostgresClient
        let task: Task<Void, Never>
    }

    private init(url: DatabaseURL, timeout: Duration, first: RunningClient) {
        self.url = url
        self.timeout = timeout
        current = Mutex(first)
    }

    /// Connects, and creates or migrates the schema. Throws ``CannotOpenDatabase`` when the server
    /// cannot be reached within `timeout` or refuses the credentials.
    static func open(url: DatabaseURL, timeout: Duration) async throws -> PostgresDatabase {
        let logger = ProcessLog.logger(label: "postgres")
        // One connection first: the pool retries a refused login quietly, where a connection says
        // why ("role ... does not exist", "password authentication failed"). A server that cannot be
        // reached yet (starting at the same moment as the app, say) gets five timeouts' time.
        let giveUp = ContinuousClock.now + timeout * 5
        while true {
            do {
                try await withDeadline(timeout) {
                    let connection = try await PostgresConnection.connect(configuration: try connectionConfiguration(url, timeout: timeout), id: 0, logger: logger)
                    try await connection.close()
                }
                break
            } catch where isUnreachable(error) && ContinuousClock.now + .milliseconds(250) < giveUp {
                try await Task.sleep(for: .milliseconds(250))
            } catch {
                throw CannotOpenDatabase(name: url.description, reason: Self.describe(error))
            }
        }
        let database = PostgresDatabase(url: url, timeout: timeout, first: await start(url: url, timeout: timeout, logger: logger))
        do {
            try await database.migrate()
        } catch {
            database.current.withLock { $0.task.cancel() }
            throw CannotOpenDatabase(name: url.description, reason: Self.describe(error))
        }
        return database
    }

    /// TLS as libpq's `sslmode=prefer` and `require` do it: encrypted, the certificate not checked.
    private static var tlsConfiguration: TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        return tls
    }

    /// The settings of a single connection, for the check at start.
    private static func connectionConfiguration(_ url: DatabaseURL, timeout: Duration) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        switch url.endpoint {
        case .tcp(let host, let port):
            let mode: PostgresConnection.Configuration.TLS =
                switch url.tls {
                case .disable: .disable
                case .prefer: .prefer(try NIOSSLContext(configuration: tlsConfiguration))
                case .require: .require(try NIOSSLContext(configuration: tlsConfiguration))
                }
            configuration = .init(host: host, port: port, username: url.username, password: url.password, database: url.database, tls: mode)
        case .unixSocket(let path):
            configuration = .init(unixSocketPath: path, username: url.username, password: url.password, database: url.database)
        }
        configuration.options.connectTimeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        return configuration
    }

    /// A new client whose pool has started running.
    private static func start(url: DatabaseURL, timeout: Duration, logger: Logger) async -> RunningClient {
        var configuration: PostgresClient.Configuration
        switch url.endpoint {
        case .tcp(let host, let port):
            let mode: PostgresClient.Configuration.TLS =
                switch url.tls {
                case .disable: .disable
                case .prefer: .prefer(tlsConfiguration)
                case .require: .require(tlsConfiguration)
                }
            configuration = .init(host: host, port: port, username: url.username, password: url.password, database: url.database, tls: mode)
        case .unixSocket(let path):
            configuration = .init(unixSocketPath: path, username: url.username, password: url.password, database: url.database)
        }
        configuration.options.connectTimeout = timeout
        configuration.options.maximumConnections = url.maxConnections
        configuration.options.minimumConnections = url.minConnections
        // No keep-alive query on idle connections: PostgresNIO's pool sets a timer for it each time a
        // connection goes back to it (a task running two more) and cancels it at the next query;
        // with the minimum at the maximum, no connection has an idle timer either. A connection the
        // server closes is noticed and replaced without it; one that vanishes silently fails its
        // next query within the timeout, which the circuit handles.
        configuration.options.keepAliveBehavior = nil
        // The pool logs each failed connection attempt at info; outages are logged once, here.
        var poolLogger = logger
        poolLogger.logLevel = .warning
        let client = PostgresClient(configuration: configuration, backgroundLogger: poolLogger)
        // Detached: the pool outlives the start-up work that opens it. Queries wait until it runs.
        let (started, signal) = AsyncStream<Void>.makeStream()
        let task = Task.detached {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        return RunningClient(client: client, task: task)
    }

    /// Runs `body` with the client, within the timeout, unless the database is known to be unreachable.
    ///
    /// With a tracer bootstrapped (see `Observability`), the call is a client span named `summary`
    /// ("SELECT users"), with OpenTelemetry's database attributes: a child of the request's server
    /// span, which Nozzle makes the current context while the handler runs. PostgresNIO makes no
    /// spans of its own.
    ///
    /// - Throws: ``DatabaseUnavailable`` when it is, or turns out to be; the query's own error otherwise.
    func run<T: Sendable>(_ summary: String, sql: String, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await withSpan(summary, ofKind: .client) { span in
            if span.isRecording { span.attributes = spanAttributes(summary, sql: sql) }
            if let refusal = circuit.withLock({ $0.refusal }) { throw DatabaseUnavailable(reason: refusal) }
            let client = current.withLock { $0.client }
            do {
                return try await withDeadline(timeout) { try await body(client) }
            } catch let error where Self.isUnreachable(error) {
                let reason = Self.describe(error)
                unreachable(reason)
                throw DatabaseUnavailable(reason: reason)
            }
        }
    }

    /// A query span's attributes, as OpenTelemetry's database conventions name them. The statement
    /// is PostgresNIO's, with `$1` where each value goes: values never reach the trace.
    private func spanAttributes(_ summary: String, sql: String) -> SpanAttributes {
        var attributes = SpanAttributes()
        attributes["db.system.name"] = "postgresql"
        let words = summary.split(separator: " ")
        if let operation = words.first { attributes["db.operation.name"] = String(operation) }
        if words.count > 1 { attributes["db.collection.name"] = String(words[1]) }
        attributes["db.namespace"] = url.database
        attributes["db.query.text"] = sql
        switch url.endpoint {
        case .tcp(let host, let port):
            attributes["server.address"] = host
            attributes["server.port"] = port
        case .unixSocket(let path):
            attributes["server.address"] = path
        }
        return attributes
    }

    /// Errors that say nothing about the query but that the server could not be reached: anything
    /// but an error the server sent about the statement, or the request's own cancellation.
    static func isUnreachable(_ error: any Error) -> Bool {
        if error is CancellationError || error is UserStoreError { return false }
        guard let error = error as? PSQLError else { return true }
        guard error.code == .server else { return error.code != .queryCancelled }
        // Class 08 is a connection exception; 57P01 to 57P05 are a server shutting down or starting.
        let state = error.serverInfo?[.sqlState] ?? ""
        return state.hasPrefix("08") || state.hasPrefix("57P")
    }

    /// What went wrong, for a log line: PostgresNIO's own description hides the details.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        }
        return error.underlying.map { "\(error.code): \($0)" } ?? "\(error.code)"
    }

    private func unreachable(_ reason: String) {
        guard circuit.withLock({ $0.failed(reason: reason, at: Self.now()) }) else { return }
        logger.error("database unreachable; answering 503 until it is back", metadata: ["database": "\(url)", "reason": "\(reason)"])
        Task.detached { await self.probe() }
    }

    /// Closes the pool: its running task is cancelled (PostgresNIO then closes every connection)
    /// and awaited. For the end of the process, after its last request.
    func close() async {
        let running = current.withLock { $0 }
        running.task.cancel()
        await running.task.value
    }

    /// Tries a new client every quarter second until one gets an answer; it then takes over.
    private func probe() async {
        while true {
            try? await Task.sleep(for: .milliseconds(250))
            let fresh = await Self.start(url: url, timeout: timeout, logger: logger)
            do {
                try await withDeadline(timeout) {
                    for try await _ in try await fresh.client.query("SELECT 1", logger: self.logger) {}
                }
            } catch {
                fresh.task.cancel()
                continue
            }
            let old = current.withLock { running in
                defer { running = fresh }
                return running
            }
            if let outage = circuit.withLock({ $0.recovered(at: Self.now()) }) {
                logger.notice("database reachable again", metadata: ["database": "\(url)", "outage": "\(String(format: "%.2f", outage))s"])
            }
            // Requests still waiting on the old client end by their timeout; then it closes.
            let timeout = self.timeout
            Task.detached {
                try? await Task.sleep(for: timeout)
                old.task.cancel()
            }
            return
        }
    }

    /// Applies the migrations not yet applied, in one transaction, under an advisory lock so that
    /// machines starting at once take turns.
    private func migrate() async throws {
        let client = current.withLock { $0.client }
        let logger = self.logger
        try await withDeadline(timeout) {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(7214001)", logger: logger)
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                var applied = Set<String>()
                for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                    applied.insert(name)
                }
                for migration in Schema.migrations where !applied.contains(migration.name) {
                    for statement in migration.postgres {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
                    logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
                }
            }
        }
    }

    /// The logger for queries' own messages.
    var queryLogger: Logger { logger }

    /// Seconds on a clock that never goes back.
    private static func now() -> Double { ProcessInfo.processInfo.systemUptime }
}
