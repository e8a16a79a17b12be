import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// One request in flight, as the status page's `?full` lists it and the slow-request log writes it:
/// which process, which request, where it is, and what it is doing.
struct LiveRequest: Sendable, Equatable {
    /// What a request in flight is doing. A request may hold no thread while it waits: that is how
    /// this host serves thousands at once, and why "waiting" is a state of its own.
    enum Phase: String, Sendable {
        /// It arrived at `--max-in-flight` and waits for room to start.
        case queued
        /// Its code runs on a worker thread now.
        case running
        /// Its handler waits for more of the body the web server is still sending.
        case readingBody = "reading body"
        /// Its response waits for the web server to take more of it.
        case writing
        /// It waits without a thread: for I/O, a timer, another request.
        case waiting
    }

    var pid: Int
    var id: String
    var method: String
    /// The path as the app routes it, with the query's names only unless `--status-show-query`.
    var path: String
    /// The template of the route it matched, such as `/api/users/{id}`; nil when none did.
    var route: String?
    var seconds: Double
    var phase: Phase
    /// The worker thread it runs on, while it runs.
    var thread: Int?

    /// A request of this process, described as the app sees it.
    init(params: CGIEnvironment, generatedID: String, seconds: Double, phase: Phase, thread: Int?, app: App, basePath: String?, showQuery: Bool) {
        let request = Request(
            variables: params, body: BufferedBodySource([]), basePath: basePath ?? app.basePath, id: generatedID, logWriter: MemoryLogWriter())
        pid = Int(getpid())
        id = request.id
        method = request.method
        path = request.path
        if !request.queryString.isEmpty {
            path += "?" + (showQuery ? request.queryString : Self.namesOnly(request.queryString))
        }
        route = app.routes.match(request.path, strictTrailingSlash: app.strictTrailingSlash, percentEncoded: false)?.route.template
        self.seconds = seconds
        self.phase = phase
        self.thread = thread
    }

    /// `a=1&b=2&c` as `a=…&b=…&c`: which parameters came, not their values (tokens, emails).
    static func namesOnly(_ query: String) -> String {
        query.split(separator: "&", omittingEmptySubsequences: false).map { pair in
            guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
            return pair[..<equals] + "=…"
        }.joined(separator: "&")
    }

    var json: JSON {
        var object: JSONObject = [
            "pid": .int(pid), "id": .string(id), "method": .string(method), "path": .string(path),
            "route": route.map(JSON.string) ?? .null, "seconds": .double((seconds * 1000).rounded() / 1000),
            "state": .string(phase.rawValue),
        ]
        if let thread { object["thread"] = .int(thread) }
        return .object(object)
    }

    /// A request another worker process described; nil when the description is not one.
    init?(json: JSON) {
        guard let pid = json["pid"]?.intValue, let id = json["id"]?.stringValue, let method = json["method"]?.stringValue,
            let path = json["path"]?.stringValue, let seconds = json["seconds"]?.doubleValue,
            let phase = json["state"]?.stringValue.flatMap(Phase.init(rawValue:))
        else { return nil }
        self.pid = pid
        self.id = id
        self.method = method
        self.path = path
        route = json["route"]?.stringValue
        self.seconds = seconds
        self.phase = phase
        thread = json["thread"]?.intValue
    }

    /// For the log: `id=… method=GET path=/api/x route=/api/x seconds=2.5 state=running`.
    var logFields: [(String, String)] {
        var fields = [("id", id), ("method", method), ("path", path)]
        if let route { fields.append(("route", route)) }
        fields += [("seconds", String(format1: seconds)), ("state", phase.rawValue)]
        if let thread { fields.append(("thread", String(thread))) }
        return fields
    }
}
