import Synchronization

/// Rate-limit counts in this process's memory, bounded whatever the number of clients.
///
/// Counts live in two generations, as express-rate-limit's memory store keeps them: a client seen in
/// the previous generation moves to the current one, and every window the previous generation is
/// dropped whole, so a client quiet for two windows costs nothing. Each request is a constant-time
/// update under a lock; nothing is ever scanned. When more than `capacity` clients arrive within one
/// generation, the generations turn over early: the table stays bounded, and the oldest counts are
/// forgotten rather than memory growing.
public final class MemoryRateLimitStore: RateLimitStore {
    struct Entry {
        var count: Int
        var resetAt: Int
    }

    struct Generations {
        var current: [String: Entry] = [:]
        var previous: [String: Entry] = [:]
        /// When `current` began.
        var started: Int?
    }

    /// The most clients one generation holds.
    public let capacity: Int
    private let state = Mutex(Generations())

    /// A store of at most `capacity` clients per generation (twice that in all).
    public init(capacity: Int = 100_000) { self.capacity = max(1, capacity) }

    /// How many clients the store holds now, in both generations.
    public var clientCount: Int { state.withLock { $0.current.count + $0.previous.count } }

    public func hit(_ key: String, windowSeconds: Int, now: Int) -> RateLimitHit {
        state.withLock { generations in
            let started = generations.started ?? now
            if now - started >= 2 * windowSeconds {
                generations.previous = [:]
                generations.current = [:]
                generations.started = now
            } else if now - started >= windowSeconds {
                generations.previous = generations.current
                generations.current = [:]
                generations.started = now
            } else if generations.started == nil {
                generations.started = now
            }
            var entry = generations.current[key] ?? generations.previous.removeValue(forKey: key) ?? Entry(count: 0, resetAt: now + windowSeconds)
            if now >= entry.resetAt { entry = Entry(count: 0, resetAt: now + windowSeconds) }
            entry.count += 1
            if generations.current[key] == nil, generations.current.count >= capacity {
                // Full: turn over now. The previous generation, the oldest counts, goes.
                generations.previous = generations.current
                generations.current = [:]
                generations.started = now
            }
            generations.current[key] = entry
            return RateLimitHit(count: entry.count, resetAt: entry.resetAt)
        }
    }
}
