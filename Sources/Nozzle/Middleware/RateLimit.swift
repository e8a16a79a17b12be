import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A per-client rate limit: after `limit` requests in a window, 429 with `Retry-After`.
///
/// Each client, keyed by ``Request/ip``, gets a fixed window from its first request. Counts live in
/// a ``RateLimitStore``. Unless given one, a limit counts in memory: under `--processes`, in a table
/// that every worker process of the pool shares, so a client gets its limit once, not once per
/// process; otherwise in this process's memory. To count across machines, give it a store that they
/// share, such as a database table.
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
    /// What tells this limit's counts apart from another's in a shared store: the store's keys are
    /// `name`, a space, and the client's address.
    public let name: String
    private let givenStore: (any RateLimitStore)?
    private let resolvedStore = Mutex<(any RateLimitStore)?>(nil)
    private let clock: @Sendable () -> Int

    /// A limit of `limit` requests per client in each `window`, counted in `store`, or in memory
    /// (the pool's shared table under `--processes`) when none is given.
    ///
    /// - Parameters:
    ///   - limit: requests allowed per client in a window.
    ///   - window: the window's length, in whole seconds.
    ///   - store: where the counts live; nil for memory.
    ///   - name: tells this limit apart in a shared store; by default, the file and line that create
    ///     it, which are the same in every process of a build.
    ///   - fileID: the file that creates the limit, for its default name.
    ///   - line: the line that creates the limit, for its default name.
    public init(limit: Int, window: Duration, store: (any RateLimitStore)? = nil, name: String? = nil, fileID: String = #fileID, line: Int = #line) {
        self.limit = limit
        self.windowSeconds = max(1, Int(window.components.seconds))
        self.givenStore = store
        self.name = name ?? "\(fileID):\(line)"
        self.clock = { Int(time(nil)) }
    }

    /// The same, with a clock of your own, for tests.
    package init(limit: Int, windowSeconds: Int, store: (any RateLimitStore)? = nil, name: String = "test", clock: @escaping @Sendable () -> Int) {
        self.limit = limit
        self.windowSeconds = windowSeconds
        self.givenStore = store
        self.name = name
        self.clock = clock
    }

    /// Where the counts are kept: the store given, or else, from the first request on, the host's
    /// shared table or this process's memory.
    public var store: any RateLimitStore {
        if let givenStore { return givenStore }
        return resolvedStore.withLock { resolved -> any RateLimitStore in
            if let resolved { return resolved }
            let store: any RateLimitStore = RateLimit.hostStore.withLock { $0 } ?? MemoryRateLimitStore()
            resolved = store
            return store
        }
    }

    /// The store that limits without one of their own use: set by the host before it serves (the
    /// pool's shared table, in a worker process); nil means each limit's own memory.
    package static let hostStore = Mutex<(any RateLimitStore)?>(nil)

    public func handle(_ req: Request, _ res: Response, next: Next) async throws {
        let key = name + " " + (req.ip ?? "unknown")
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

    /// 429, on every operation the limit runs for.
    public func documentedAnswers(for method: HTTPMethod) -> [Int: String] {
        [429: "Too many requests from this client in the window (\(limit) per \(windowSeconds) s): `Retry-After` says in how many seconds to try again."]
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
