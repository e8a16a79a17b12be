import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// What this process has served, for `--status-path`.
final class ProcessStatus: @unchecked Sendable {
    struct RouteStats {
        var count = 0
        var errors = 0
        var latency = LatencyHistogram()
    }

    /// A request slower than this counts as slow.
    static let slowThreshold = 1.0

    private let lock = Lock()
    let startTime = time(nil)
    let started = System.now()
    private var accepted = 0
    private var slow = 0
    private var maxActive = 0
    private var routes: [String: RouteStats] = [:]

    func record(route: String, status: Int, seconds: Double, active: Int) {
        lock.withLock {
            accepted += 1
            if seconds > ProcessStatus.slowThreshold { slow += 1 }
            maxActive = max(maxActive, active)
            var stats = routes[route] ?? RouteStats()
            stats.count += 1
            if status >= 500 { stats.errors += 1 }
            stats.latency.record(seconds)
            routes[route] = stats
        }
    }

    /// The status as JSON.
    func json(pool: String, active: Int, total: Int, listenQueue: Int?) -> JSON {
        lock.withLock {
            let routeList = routes.keys.sorted().map { key -> JSON in
                let stats = routes[key]!
                return [
                    "route": .string(key), "count": .int(stats.count), "errors": .int(stats.errors),
                    "p50_ms": .double(ProcessStatus.milliseconds(stats.latency.percentile(0.5))),
                    "p90_ms": .double(ProcessStatus.milliseconds(stats.latency.percentile(0.9))),
                    "p99_ms": .double(ProcessStatus.milliseconds(stats.latency.percentile(0.99))),
                ]
            }
            return [
                "pool": .string(pool),
                "pid": .int(Int(getpid())),
                "start_time": .int(startTime),
                "uptime_seconds": .int(Int(System.now() - started)),
                "accepted_requests": .int(accepted),
                "active_workers": .int(active),
                "idle_workers": .int(total - active),
                "total_workers": .int(total),
                "max_active_workers": .int(max(maxActive, active)),
                "listen_queue": listenQueue.map(JSON.int) ?? .null,
                "slow_requests": .int(slow),
                "routes": .array(routeList),
            ]
        }
    }

    /// The status in the Prometheus text format.
    func prometheus(pool: String, active: Int, total: Int, listenQueue: Int?) -> String {
        let status = json(pool: pool, active: active, total: total, listenQueue: listenQueue)
        let labels = "pool=\"\(pool)\",pid=\"\(getpid())\""
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ value: JSON?) {
            lines.append("# HELP nozzle_\(name) \(help)")
            lines.append("# TYPE nozzle_\(name) \(type)")
            lines.append("nozzle_\(name){\(labels)} \(value?.text ?? "0")")
        }
        metric("start_time_seconds", "gauge", "When this process started, as a Unix time.", status["start_time"])
        metric("accepted_requests_total", "counter", "Requests this process has answered.", status["accepted_requests"])
        metric("active_workers", "gauge", "Workers answering a request now.", status["active_workers"])
        metric("idle_workers", "gauge", "Workers waiting for a request.", status["idle_workers"])
        metric("max_active_workers", "gauge", "The most workers active at once.", status["max_active_workers"])
        metric("slow_requests_total", "counter", "Requests that took over a second.", status["slow_requests"])
        if let queue = status["listen_queue"], queue != .null { metric("listen_queue", "gauge", "Connections waiting to be accepted.", queue) }
        lines.append("# HELP nozzle_route_requests_total Requests by route.")
        lines.append("# TYPE nozzle_route_requests_total counter")
        for route in status["routes"]?.arrayValue ?? [] {
            lines.append("nozzle_route_requests_total{\(labels),route=\"\(route["route"]?.stringValue ?? "")\"} \(route["count"]?.text ?? "0")")
        }
        lines.append("# HELP nozzle_route_errors_total Requests by route that were answered with a 5xx status.")
        lines.append("# TYPE nozzle_route_errors_total counter")
        for route in status["routes"]?.arrayValue ?? [] {
            lines.append("nozzle_route_errors_total{\(labels),route=\"\(route["route"]?.stringValue ?? "")\"} \(route["errors"]?.text ?? "0")")
        }
        lines.append("# HELP nozzle_route_latency_seconds Request duration percentiles by route.")
        lines.append("# TYPE nozzle_route_latency_seconds gauge")
        for route in status["routes"]?.arrayValue ?? [] {
            for (key, quantile) in [("p50_ms", "0.5"), ("p90_ms", "0.9"), ("p99_ms", "0.99")] {
                let seconds = (route[key]?.doubleValue ?? 0) / 1000
                lines.append("nozzle_route_latency_seconds{\(labels),route=\"\(route["route"]?.stringValue ?? "")\",quantile=\"\(quantile)\"} \(seconds)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func milliseconds(_ seconds: Double) -> Double { (seconds * 100_000).rounded() / 100 }
}
