import Nozzle

/// Calls an app in-process: no nginx, no socket, the same request pipeline.
///
/// ```swift
/// let client = TestClient(app: App(routes: .generated))
/// let response = await client.request("GET", "/api/hello")
/// #expect(response.status == 200)
/// ```
public struct TestClient: Sendable {
    /// The app under test.
    public let app: App
    /// Every log line the app wrote.
    public let log = MemoryLogWriter()

    /// A client for `app`.
    public init(app: App) { self.app = app }

    /// Sends one request through the app.
    ///
    /// - Parameters:
    ///   - method: the request method.
    ///   - target: the path with an optional query: `/api/users?page=2`.
    ///   - headers: header fields; `Content-Type` and `Content-Length` become the CGI variables.
    ///   - body: the body bytes.
    ///   - environment: extra CGI variables, which override the ones derived here.
    ///   - contentLength: what `CONTENT_LENGTH` says: the body's size unless given; `.some(nil)` leaves it out.
    public func request(
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        environment: [String: String] = [:],
        contentLength: String?? = .none
    ) async -> TestResponse {
        let (path, query) = TestClient.split(target)
        var variables: [String: String] = [
            "GATEWAY_INTERFACE": "CGI/1.1",
            "REQUEST_METHOD": method,
            // As nginx sends it: SCRIPT_NAME decoded, REQUEST_URI raw.
            "SCRIPT_NAME": PercentDecoding.decode(path),
            "QUERY_STRING": query,
            "REQUEST_URI": target,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "REMOTE_ADDR": "127.0.0.1",
            "REMOTE_PORT": "40000",
        ]
        switch contentLength {
        case .none: variables["CONTENT_LENGTH"] = body.isEmpty ? "" : String(body.count)
        case .some(nil): break
        case .some(.some(let value)): variables["CONTENT_LENGTH"] = value
        }
        for (name, value) in headers {
            let variable = name.uppercased().replacingDashes()
            if variable == "CONTENT_TYPE" || variable == "CONTENT_LENGTH" {
                variables[variable] = value
            } else {
                let key = "HTTP_" + variable
                variables[key] = variables[key].map { $0 + ", " + value } ?? value
            }
        }
        variables.merge(environment) { _, new in new }
        let req = Request(
            environment: variables,
            body: BufferedBodySource(body),
            basePath: app.basePath,
            id: "test",
            logWriter: log
        )
        let sink = BufferedResponseSink()
        let res = Response(sink: sink, method: req.method, log: req.log)
        await app.respond(to: req, res)
        return TestResponse(cgiOutput: sink.bytes)
    }

    static func split(_ target: String) -> (path: String, query: String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }
}

extension String {
    fileprivate func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
