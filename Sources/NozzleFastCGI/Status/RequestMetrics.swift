import Nozzle

/// The pipeline's last step: counts each request the client has had its answer to, for the status
/// page (this process's figures, or the pool's scoreboard under a supervisor), and writes its
/// access-log line with `--access-log`.
struct RequestMetrics: Sendable {
    let status: ProcessStatus
    let scoreboard: Scoreboard?
    let pool: WorkerPool
    let accessLog: Bool

    func record(_ request: Request, _ response: Response, route: Int?, seconds: Double) {
        let route = status.index(ofRoute: route)
        let statusCode = response.sentStatus
        if let scoreboard {
            scoreboard.record(route: route, isError: statusCode >= 500, seconds: seconds, active: pool.busyThreads)
        } else {
            status.record(route: route, status: statusCode, seconds: seconds, active: pool.busyThreads)
        }
        if accessLog {
            var fields = [
                ("id", request.id), ("method", request.method), ("path", request.path), ("status", String(statusCode)),
                ("bytes", String(response.bytesSent)), ("duration_ms", String(Double(Int(seconds * 100_000)) / 100)),
            ]
            if let trace = request.log.trace { fields += [("trace_id", trace.traceID), ("span_id", trace.spanID)] }
            LogOutput.shared.log(.info, "request", metadata: fields)
        }
    }
}
