#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A per-client rate limit: after `limit` requests in a window, 429 with `Retry-After`.
///
/// Each client, keyed by ``Request/ip``, gets a fixed window from its first request. Counts live in
/// a ``RateLimitStore``: this process's memory unless another is given.
///
/// ```swift
/// app.use(RateLimit(limit: 100, window: .seconds(60)))
/// ```
///
/// Every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`. When the store
/// fails (a database that is down), the request goes on unlimited and the failure is logged: a rate
/// limit should not take the API down with it.
public final class RateLimit: Middleware {
    /// Requests allowed per window.
    public let limit: Int
    /// The window's length in seconds.
    public let windowSeconds: Int
    /// Where the counts are kept.
    public let store: any RateLimitStore
    private let clock: @Sendable () -> Int

    /// A limit of `limit` requests per client in each `window`, counted in `store` (this process's
    /// memory unless given).
    public init(limit: Int, window: Duration, store: (any RateLimitStore)? = nil) {
        self.limit = limit
        self.windowSeconds = max(1, Int(window.components.seconds))
        self.store = store ?? MemoryRateLimitStore()
        self.clock = { Int(time(nil)) }
    }

    /// The same, with a clock of your own, for tests.
    package init(limit: Int, windowSeconds: Int, store: (any RateLimitStore)? = nil, clock: @escaping @Sendable () -> Int) {
        self.limit = limit
        self.windowSeconds = windowSeconds
        self.store = store ?? MemoryRateLimitStore()
        self.clock = clock
    }

    public func handle(_ req: Request, _ res: Response, next: Next) async throws {
        let key = req.ip ?? "unknown"
        let now = clock()
        let hit: RateLimitHit
        do {
            hit = try await store.hit(key, windowSeconds: windowSeconds, now: now)
        } catch {
            req.log.error("rate limit store failed, letting the request through: \(error)")
            try await next()
            return
        }
        let reset = max(0, hit.resetAt - now)
        res.setHeader("RateLimit-Limit", String(limit))
        res.setHeader("RateLimit-Remaining", String(max(0, limit - hit.count)))
        res.setHeader("RateLimit-Reset", String(reset))
        guard hit.count <= limit else {
            throw HTTPError(429, "Too many requests", headers: Headers([("Retry-After", String(reset))]))
        }
        try await next()
    }
}

/// A client's count after one more request.
public struct RateLimitHit: Sendable, Equatable {
    /// Requests in the current window, this one included.
    public var count: Int
    /// When the window ends, in seconds since 1970.
    public var resetAt: Int

    /// A count and the end of its window.
    public init(count: Int, resetAt: Int) {
        self.count = count
        self.resetAt = resetAt
    }
}

/// Where ``RateLimit`` keeps its counts: this process's memory (``MemoryRateLimitStore``), memory
/// that every worker process shares, or a database that every machine shares.
public protocol RateLimitStore: Sendable {
    /// Counts one request of `key` and returns its count in the window that holds `now`. A client's
    /// window starts with its first request and lasts `windowSeconds`.
    func hit(_ key: String, windowSeconds: Int, now: Int) async throws -> RateLimitHit
}
