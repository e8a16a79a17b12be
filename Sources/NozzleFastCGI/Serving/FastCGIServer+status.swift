import CNozzleSystem
import Nozzle
#if canImport(Glibc)
import Glibc
#endif

extension FastCGIServer {
    /// Answers `--status-path`, `--ping-path` and `--openapi-path` for allowed clients; others go on
    /// to routing.
    func answerHostPage(_ request: Request, _ response: Response) -> Bool {
        guard request.path == options.statusPath || request.path == options.pingPath || request.path == options.openAPIPath else { return false }
        guard let client = request.remoteAddress, statusClients.contains(where: { $0.contains(client) }) else { return false }
        response.setHeader("Cache-Control", "no-store")
        if request.path == options.pingPath {
            response.type("text").send("pong")
            return true
        }
        if request.path == options.openAPIPath, let openAPIDocument {
            response.json(openAPIDocument)
            return true
        }
        let queue = listenFD.map { Int(nozzle_listen_queue($0)) }.flatMap { $0 >= 0 ? $0 : nil }
        let pool = System.programName
        // Under a supervisor, the whole pool; otherwise this process.
        let snapshot = scoreboard?.pool(routeHash: status.routeHash, routes: status.routeNames.count) ?? localSnapshot()
        if request.query["format"] == "prometheus" {
            response.type("text/plain; version=0.0.4; charset=utf-8").send(status.prometheus(snapshot, pool: pool, listenQueue: queue))
        } else {
            response.json(status.json(snapshot, pool: pool, listenQueue: queue))
        }
        return true
    }

    /// This process's figures, with what is in flight now.
    func localSnapshot() -> StatusSnapshot {
        let (inFlight, queued, most) = lifecycle.withLock { ($0.inFlight, $0.parkedCount, $0.mostInFlight) }
        var snapshot = status.snapshot(active: pool.busyThreads, total: options.workers)
        snapshot.inFlight = inFlight
        snapshot.queued = queued
        snapshot.mostInFlight = most
        snapshot.maxInFlight = options.maxInFlight
        return snapshot
    }

    /// Counts a request the client has had its answer to, and writes its access-log line.
    func record(_ request: Request, _ response: Response, seconds: Double) {
        let route = status.index(of: request.routePattern)
        let statusCode = response.sentStatus
        // Under a supervisor the status page reads the scoreboard; otherwise this process's own figures.
        if let scoreboard {
            scoreboard.record(route: route, isError: statusCode >= 500, seconds: seconds, active: pool.busyThreads)
        } else {
            status.record(route: route, status: statusCode, seconds: seconds, active: pool.busyThreads)
        }
        if options.accessLog {
            LogOutput.shared.log(.info, "request", metadata: [
                ("id", request.id), ("method", request.method), ("path", request.path), ("status", String(statusCode)),
                ("bytes", String(response.bytesSent)), ("duration_ms", String(Double(Int(seconds * 100_000)) / 100)),
            ])
        }
    }
}
