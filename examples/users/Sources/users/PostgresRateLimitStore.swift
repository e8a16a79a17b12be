import Nozzle
import PostgresNIO
import Synchronization

/// Rate-limit counts in PostgreSQL, so that a client spreading its requests over several app
/// machines is limited once. Each request is one statement: an upsert that starts a new window when
/// the old one has ended and otherwise adds one, atomic under concurrent requests from any machine.
///
/// Counts live in the unlogged table `rate_limits`. Windows that ended long ago are deleted now and
/// then, by one statement at most once a minute per process, so the table holds about the clients
/// of the last window. When the database is unreachable, ``RateLimit`` lets requests through and
/// logs it.
final class PostgresRateLimitStore: RateLimitStore {
    /// The database, once opened at start.
    let database: @Sendable () -> PostgresDatabase?
    private let lastSweep = Mutex(0)

    init(database: @escaping @Sendable () -> PostgresDatabase?) { self.database = database }

    func hit(_ key: String, windowSeconds: Int, now: Int) async throws -> RateLimitHit {
        guard let database = database() else { throw DatabaseUnavailable(reason: "not opened yet") }
        let logger = database.queryLogger
        let resetAt = now + windowSeconds
        let sweep = lastSweep.withLock { last in
            guard now - last >= 60 else { return false }
            last = now
            return true
        }
        let count: PostgresQuery = """
            INSERT INTO rate_limits AS r (key, count, reset_at) VALUES (\(key), 1, \(resetAt))
            ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN r.reset_at <= \(now) THEN 1 ELSE r.count + 1 END,
                reset_at = CASE WHEN r.reset_at <= \(now) THEN \(resetAt) ELSE r.reset_at END
            RETURNING count, reset_at
            """
        return try await database.run("INSERT rate_limits", sql: count.sql) { client in
            if sweep {
                try await client.query("DELETE FROM rate_limits WHERE reset_at < \(now - windowSeconds)", logger: logger)
            }
            let rows = try await client.query(count, logger: logger)
            var hit = RateLimitHit(count: 1, resetAt: resetAt)
            for try await (count, reset) in rows.decode((Int, Int).self) { hit = RateLimitHit(count: count, resetAt: reset) }
            return hit
        }
    }
}
