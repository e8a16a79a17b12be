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

    /// Sends one request through the app; see ``Nozzle/App/call(_:_:headers:body:environment:contentLength:requestID:logWriter:)``.
    public func request(
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        environment: [String: String] = [:],
        contentLength: String?? = .none
    ) async -> TestResponse {
        let output = await app.call(
            method, target, headers: headers, body: body, environment: environment, contentLength: contentLength,
            requestID: "test", logWriter: log)
        return TestResponse(cgiOutput: output)
    }
}
