import CNozzleSystem
import Nozzle

/// The host's own pages: `--status-path` (JSON; Prometheus text with `?format=prometheus`; every
/// request in flight with `?full`; a page that refreshes itself with `?html`), `--ping-path` and
/// `--openapi-path`, for the clients `--allow` names (loopback unless given). The pipeline asks it
/// first; anything else goes on to routing.
struct HostPages: Sendable {
    let statusPath: String?
    let pingPath: String?
    let openAPIPath: String?
    /// Who may see them.
    let clients: [AddressRange]
    /// The OpenAPI document, made once at start when `--openapi-path` is given.
    let openAPIDocument: JSON?
    /// The listening socket, for its queue's length on the status page.
    let listenFD: Int32?
    let status: ProcessStatus
    /// Under a supervisor, the pool's figures; otherwise `local`.
    let scoreboard: Scoreboard?
    /// Where this process's own figures come from.
    let local: LocalFigures
    /// The pool's requests in flight, for `?full` and `?html`.
    var inFlight: (@Sendable () -> [LiveRequest])?

    /// This process's figures, with what is in flight now.
    struct LocalFigures: Sendable {
        let lifecycle: SharedLifecycle
        let pool: WorkerPool
        let workers: Int
        let maxInFlight: Int
        let afterResponse: AfterResponseWork

        func snapshot(_ status: ProcessStatus) -> StatusSnapshot {
            let (inFlight, queued, most) = lifecycle.withLock { ($0.inFlight, $0.parkedCount, $0.mostInFlight) }
            var snapshot = status.snapshot(active: pool.busyThreads, total: workers)
            snapshot.inFlight = inFlight
            snapshot.queued = queued
            snapshot.mostInFlight = most
            snapshot.maxInFlight = maxInFlight
            snapshot.afterResponse = afterResponse.figures
            return snapshot
        }
    }

    /// Whether any page is served at all.
    var isEnabled: Bool { statusPath != nil || pingPath != nil || openAPIPath != nil }

    /// Whether `path` is one of the pages.
    func serves(_ path: String) -> Bool { path == statusPath || path == pingPath || path == openAPIPath }

    /// Answers a page for an allowed client; false for anything else, which goes on to routing.
    func answer(_ request: Request, _ response: Response) -> Bool {
        guard serves(request.path) else { return false }
        guard let client = request.remoteAddress, clients.contains(where: { $0.contains(client) }) else { return false }
        response.setHeader("Cache-Control", "no-store")
        if request.path == pingPath {
            response.type("text").send("pong")
            return true
        }
        if request.path == openAPIPath, let openAPIDocument {
            response.json(openAPIDocument)
            return true
        }
        let queue = listenFD.map { Int(nozzle_listen_queue($0)) }.flatMap { $0 >= 0 ? $0 : nil }
        let pool = System.programName
        var snapshot = scoreboard?.pool(routeHash: status.routeHash, routes: status.routeNames.count) ?? local.snapshot(status)
        snapshot.afterResponse.limit = local.afterResponse.figures.limit
        if request.query["format"] == "prometheus" {
            response.type("text/plain; version=0.0.4; charset=utf-8").send(status.prometheus(snapshot, pool: pool, listenQueue: queue))
            return true
        }
        var json = status.json(snapshot, pool: pool, listenQueue: queue)
        let full = request.query["full"] != nil, html = request.query["html"] != nil
        if full || html, let inFlight, case .object(var object) = json {
            object["requests"] = .array(inFlight().map(\.json))
            json = .object(object)
        }
        if html {
            response.type("html").setHeader("Content-Security-Policy", StatusHTML.contentSecurityPolicy).send(StatusHTML.page(json))
        } else {
            response.json(json)
        }
        return true
    }
}
