import Foundation
import NozzleFastCGI

// The app's own options; Nozzle's serve options are the rest. Each reaches the database code (and,
// under --processes, every worker) through the environment: see Database.
var arguments = Array(CommandLine.arguments.dropFirst())
for (option, variable) in [
    ("--database", Database.pathVariable), ("--database-url", Database.urlVariable),
    ("--database-timeout", Database.timeoutVariable),
] {
    if let value = CommandLineOption.take(option, from: &arguments) { setenv(variable, value, 1) }
}

var app = App(routes: .generated)
// Traces and metrics over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
Observability.bootstrapIfConfigured(&app)
// Open the database and create or migrate its schema before serving, so that a bad path, URL or
// password stops the app at once.
app.onStart { try await Database.open() }
// The pool closes after the worker's last request: a service, which Nozzle stops last-first once the
// requests in flight have finished (after the exporters' service, if any, which stops after it).
app.services.append(DatabaseService())
// A database that cannot be reached now is a 503 that says so, with Retry-After, not a 500.
app.onError { error, req, res in
    guard let error = error as? DatabaseUnavailable else { return }
    req.log.warning("answered 503: \(error)")
    res.status(503).setHeader("Retry-After", "1").json(["error": "Database unavailable, try again shortly"])
}
// USERS_RATE_LIMIT=100/60: 100 requests per client per 60 seconds, counted across the worker
// processes (SQLite) or across every machine (PostgreSQL).
if let setting = ProcessInfo.processInfo.environment["USERS_RATE_LIMIT"], !setting.isEmpty {
    let parts = setting.split(separator: "/").compactMap { Int($0) }
    guard parts.count == 2, parts[0] > 0, parts[1] > 0 else {
        FileHandle.standardError.write(Data("users: USERS_RATE_LIMIT=\(setting): expected REQUESTS/SECONDS, such as 100/60\n".utf8))
        exit(2)
    }
    let store: (any RateLimitStore)? = Database.usesPostgres ? PostgresRateLimitStore { Database.postgres } : nil
    app.use(RateLimit(limit: parts[0], window: .seconds(parts[1]), store: store, name: "users"))
}
app.main(arguments: arguments)
