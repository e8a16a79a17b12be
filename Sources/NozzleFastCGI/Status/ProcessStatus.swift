import Nozzle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Figures for the status page: of one process, or of a pool read from the scoreboard.
struct StatusSnapshot {
    struct Route {
        var count = 0
        var errors = 0
        var latency = LatencyHistogram()
    }

    var accepted = 0
    var slow = 0
    var maxActive = 0
    var active = 0
    var total = 0
    var processes = 0
    /// Requests in flight now: running on a thread, or waiting for I/O or a timer.
    var inFlight = 0
    /// Requests that arrived at `--max-in-flight` and wait for room to start.
    var queued = 0
    /// The most requests in flight at once in one process.
    var mostInFlight = 0
    /// `--max-in-flight`.
    var maxInFlight = 0
    /// The work `res.after` handed over: running, waiting, completed and failed, summed over the
    /// pool; `limit` is each process's.
    var afterResponse = AfterResponseWork.Figures()
    /// Each live process: its pid, the requests it has answered, and its workers answering one now.
    var processList: [(pid: Int, accepted: Int, active: Int)] = []
    /// By route index, in the order of the app's route table, then requests that matched no route.
    var routes: [Route]
}

/// What this process has served, and the status page built from it or from the pool's scoreboard.
final class ProcessStatus: Sendable {
    /// A request slower than this counts as slow.
    static let slowThreshold = 1.0


    /// The routes' patterns in table order, then `(no route)`.
    let routeNames: [String]
    /// The same routes' templates (`/api/post/{pid}`), as `http.route` names them; `""` for no route.
    let routeTemplates: [String]
    /// Identifies the route table, so that a pool's figures only add up processes of one build.
    let routeHash: Int
    let startTime: Int
    private let local: Mutex<StatusSnapshot>

    init(routes: RouteTable, poolStarted: Int?) {
        routeNames = routes.routes.map(\.pattern) + ["(no route)"]
        routeTemplates = routes.routes.map(\.template) + [""]
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in routeNames.joined(separator: "\n").utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        routeHash = Int(truncatingIfNeeded: hash)
        startTime = poolStarted ?? Int(time(nil))
        local = Mutex(StatusSnapshot(routes: Array(repeating: .init(), count: routeNames.count)))
    }

    /// Where a route's figures are, by its place in the route table; nil (no route matched) counts
    /// under `(no route)`.
    func index(ofRoute route: Int?) -> Int { route ?? routeNames.count - 1 }

    func record(route: Int, status: Int, seconds: Double, active: Int) {
        local.withLock { local in
            local.accepted += 1
            if seconds > ProcessStatus.slowThreshold { local.slow += 1 }
            local.maxActive = max(local.maxActive, active)
            local.routes[route].count += 1
            if status >= 500 { local.routes[route].errors += 1 }
            local.routes[route].latency.record(seconds)
        }
    }

    /// This process alone.
    func snapshot(active: Int, total: Int) -> StatusSnapshot {
        var snapshot = local.withLock { $0 }
        snapshot.active = active
        snapshot.total = total
        snapshot.processes = 1
        snapshot.maxActive = max(snapshot.maxActive, active)
        snapshot.processList = [(Int(getpid()), snapshot.accepted, active)]
        return snapshot
    }

    /// The status as JSON.
    func json(_ snapshot: StatusSnapshot, pool: String, listenQueue: Int?) -> JSON {
        let routeList = snapshot.routes.enumerated().filter { $0.element.count > 0 }.map { index, route -> JSON in
            [
                "route": .string(routeNames[index]), "template": .string(routeTemplates[index]),
                "count": .int(route.count), "errors": .int(route.errors),
                "p50_ms": .double(ProcessStatus.milliseconds(route.latency.percentile(0.5))),
                "p90_ms": .double(ProcessStatus.milliseconds(route.latency.percentile(0.9))),
                "p99_ms": .double(ProcessStatus.milliseconds(route.latency.percentile(0.99))),
            ]
        }
        return [
            "pool": .string(pool),
            "pid": .int(Int(getpid())),
            "processes": .int(snapshot.processes),
            "process_list": .array(snapshot.processList.map { ["pid": .int($0.pid), "accepted_requests": .int($0.accepted), "active_workers": .int($0.active)] }),
            "start_time": .int(startTime),
            "uptime_seconds": .int(max(0, Int(time(nil)) - startTime)),
            "accepted_requests": .int(snapshot.accepted),
            "active_workers": .int(snapshot.active),
            "idle_workers": .int(snapshot.total - snapshot.active),
            "total_workers": .int(snapshot.total),
            "max_active_workers": .int(max(snapshot.maxActive, snapshot.active)),
            "in_flight": .int(snapshot.inFlight),
            "waiting": .int(max(0, snapshot.inFlight - snapshot.active)),
            "queued": .int(snapshot.queued),
            "max_in_flight": .int(snapshot.maxInFlight),
            "most_in_flight": .int(max(snapshot.mostInFlight, snapshot.inFlight)),
            "listen_queue": listenQueue.map(JSON.int) ?? .null,
            "slow_requests": .int(snapshot.slow),
            "after_response": [
                "running": .int(snapshot.afterResponse.running), "waiting": .int(snapshot.afterResponse.waiting),
                "completed": .int(snapshot.afterResponse.completed), "failed": .int(snapshot.afterResponse.failed),
                "limit": .int(snapshot.afterResponse.limit),
            ],
            "routes": .array(routeList),
        ]
    }

    /// The status in the Prometheus text format. Figures that are the same quantity as one of the
    /// OpenTelemetry HTTP metrics that swift-metrics records (``HTTPServerMetrics`` in the core) carry
    /// its name and labels, as a Prometheus exporter writes them: requests in flight are
    /// `http_server_active_requests`, and each route's durations `http_server_request_duration_seconds`
    /// with `http_route`. The rest are the pool's own, under `nozzle_`.
    func prometheus(_ snapshot: StatusSnapshot, pool: String, listenQueue: Int?) -> String {
        let status = json(snapshot, pool: pool, listenQueue: listenQueue)
        let labels = "pool=\"\(pool)\""
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ value: JSON?) {
            lines.append("# HELP nozzle_\(name) \(help)")
            lines.append("# TYPE nozzle_\(name) \(type)")
            lines.append("nozzle_\(name){\(labels)} \(value?.text ?? "0")")
        }
        metric("start_time_seconds", "gauge", "When the pool started, as a Unix time.", status["start_time"])
        metric("processes", "gauge", "Worker processes running.", status["processes"])
        metric("accepted_requests_total", "counter", "Requests answered.", status["accepted_requests"])
        metric("active_workers", "gauge", "Workers answering a request now.", status["active_workers"])
        metric("idle_workers", "gauge", "Workers waiting for a request.", status["idle_workers"])
        metric("max_active_workers", "gauge", "The most workers of one process active at once.", status["max_active_workers"])
        lines.append("# HELP http_server_active_requests Requests in flight: running on a worker or waiting.")
        lines.append("# TYPE http_server_active_requests gauge")
        lines.append("http_server_active_requests{\(labels)} \(status["in_flight"]?.text ?? "0")")
        metric("waiting_requests", "gauge", "Requests in flight that hold no worker: waiting for I/O, a timer, or room to start.", status["waiting"])
        metric("queued_requests", "gauge", "Requests that arrived at --max-in-flight and wait for room to start.", status["queued"])
        metric("max_in_flight_requests", "gauge", "The --max-in-flight limit of each process.", status["max_in_flight"])
        metric("most_in_flight_requests", "gauge", "The most requests in flight at once in one process.", status["most_in_flight"])
        metric("slow_requests_total", "counter", "Requests that took over a second.", status["slow_requests"])
        let after = status["after_response"]
        metric("after_response_running", "gauge", "Work handed over with res.after that runs now.", after?["running"])
        metric("after_response_waiting", "gauge", "Work handed over with res.after that waits for a slot (--max-after-response).", after?["waiting"])
        metric("after_response_completed_total", "counter", "Work handed over with res.after that ended without an error.", after?["completed"])
        metric("after_response_failed_total", "counter", "Work handed over with res.after that threw or was cancelled.", after?["failed"])
        if let queue = status["listen_queue"], queue != .null { metric("listen_queue", "gauge", "Connections waiting to be accepted.", queue) }
        let routes = status["routes"]?.arrayValue ?? []
        func routeLabels(_ route: JSON) -> String { "\(labels),http_route=\"\(Self.labelValue(route["template"]?.stringValue ?? ""))\"" }
        lines.append("# HELP http_server_request_duration_seconds Request durations by route: percentiles, and the count.")
        lines.append("# TYPE http_server_request_duration_seconds summary")
        for route in routes {
            for (key, quantile) in [("p50_ms", "0.5"), ("p90_ms", "0.9"), ("p99_ms", "0.99")] {
                let seconds = (route[key]?.doubleValue ?? 0) / 1000
                lines.append("http_server_request_duration_seconds{\(routeLabels(route)),quantile=\"\(quantile)\"} \(seconds)")
            }
            lines.append("http_server_request_duration_seconds_count{\(routeLabels(route))} \(route["count"]?.text ?? "0")")
        }
        lines.append("# HELP nozzle_route_errors_total Requests by route that were answered with a 5xx status.")
        lines.append("# TYPE nozzle_route_errors_total counter")
        for route in routes {
            lines.append("nozzle_route_errors_total{\(routeLabels(route))} \(route["errors"]?.text ?? "0")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A label value as the Prometheus text format escapes it.
    static func labelValue(_ value: String) -> String {
        value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    }

    static func milliseconds(_ seconds: Double) -> Double { (seconds * 100_000).rounded() / 100 }
}
