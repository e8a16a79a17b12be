#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A per-client rate limit: after `limit` requests in a window, 429 with `Retry-After`.
///
/// Counts live in this process's memory, in fixed windows keyed by ``Request/ip``. Behind several
/// worker processes or machines, each counts on its own.
///
/// ```swift
/// app.use(RateLimit(limit: 100, window: .seconds(60)))
/// ```
public final class RateLimit: Middleware, @unchecked Sendable {
    /// Requests allowed per window.
    public let limit: Int
    /// The window's length in seconds.
    public let windowSeconds: Int
    private let lock = Lock()
    private var windows: [String: (start: Int, count: Int)] = [:]
    private let clock: @Sendable () -> Int

    /// A limit of `limit` requests per client in each `window`.
    public init(limit: Int, window: Duration) {
        self.limit = limit
        self.windowSeconds = max(1, Int(window.components.seconds))
        self.clock = { Int(time(nil)) }
    }

    /// The same, with a clock of your own, for tests.
    package init(limit: Int, windowSeconds: Int, clock: @escaping @Sendable () -> Int) {
        self.limit = limit
        self.windowSeconds = windowSeconds
        self.clock = clock
    }

    public func handle(_ req: Request, _ res: Response, next: Next) async throws {
        let key = req.ip ?? "unknown"
        let now = clock()
        let (count, reset) = lock.withLock { () -> (Int, Int) in
            if windows.count > 100_000 { windows = windows.filter { now - $0.value.start < windowSeconds } }
            var window = windows[key] ?? (now, 0)
            if now - window.start >= windowSeconds { window = (now, 0) }
            window.count += 1
            windows[key] = window
            return (window.count, window.start + windowSeconds - now)
        }
        res.setHeader("RateLimit-Limit", String(limit))
        res.setHeader("RateLimit-Remaining", String(max(0, limit - count)))
        res.setHeader("RateLimit-Reset", String(reset))
        guard count <= limit else {
            throw HTTPError(429, "Too many requests", headers: Headers([("Retry-After", String(reset))]))
        }
        try await next()
    }
}
