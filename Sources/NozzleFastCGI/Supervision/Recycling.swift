/// When a worker process retires on its own, to be replaced by a fresh one, as the best app servers
/// recycle theirs: after a number of requests (`--max-requests`, with gunicorn's
/// `max_requests_jitter` so that workers started together do not all retire together), or once its
/// resident memory passes a bound (`--max-memory`, uWSGI's `reload-on-rss`). Either way it stops
/// gracefully: it takes no new connection, finishes the requests it has, and exits 0, and the
/// supervisor starts its replacement.
struct Recycling: Equatable, Sendable {
    /// `--max-requests N`.
    var maxRequests: Int?
    /// `--max-requests-jitter N`: each worker adds a random count from 0 to N to `maxRequests`.
    var jitter = 0
    /// `--max-memory SIZE`, in bytes.
    var maxMemory: Int?

    /// This worker's own request limit: `maxRequests` plus a random share of the jitter.
    func requestLimit() -> Int? { requestLimit(adding: jitter > 0 ? Int.random(in: 0...jitter) : 0) }

    /// `maxRequests` plus `extra` of the jitter (0 to ``jitter``).
    func requestLimit(adding extra: Int) -> Int? {
        guard let maxRequests else { return nil }
        let (sum, overflow) = maxRequests.addingReportingOverflow(min(max(extra, 0), jitter))
        return overflow ? Int.max : sum
    }

    /// Why a worker with `residentBytes` of memory retires now, or nil when it goes on.
    func memoryReason(residentBytes: Int) -> String? {
        guard let maxMemory, residentBytes > maxMemory else { return nil }
        return "resident memory \(Recycling.megabytes(residentBytes)) is past --max-memory \(Recycling.megabytes(maxMemory))"
    }

    static func megabytes(_ bytes: Int) -> String {
        "\(String(format1: Double(bytes) / 1_048_576)) MB"
    }
}
