#if Tracing
import InMemoryTracing
import Nozzle
import NozzleTesting
import Synchronization
import Testing
import Tracing

/// Server spans with swift-distributed-tracing's in-memory tracer: what a tracing backend would
/// receive for each request.
struct TracingTests {
    /// An app with a static, a dynamic and a catch-all route, traced by `tracer`.
    static func app(_ tracer: W3CInMemoryTracer, _ handler: @escaping Handler = { _, res in res.send("ok") }) -> App {
        var app = App(routes: RouteTable([
            Route("/api/hello", handlers: ["GET": handler, "POST": handler]),
            Route("/api/users/[id]", handlers: ["GET": handler]),
            Route("/api/docs/[...slug]", handlers: ["GET": handler]),
        ]))
        app.tracer = tracer
        return app
    }

    static func onlySpan(_ tracer: W3CInMemoryTracer) throws -> FinishedInMemorySpan {
        let spans = tracer.finishedSpans
        #expect(spans.count == 1, "\(spans.map(\.operationName))")
        return try #require(spans.first)
    }

    @Test(arguments: [
        ("/api/hello", "GET /api/hello", "/api/hello"),
        ("/api/users/42?x=1", "GET /api/users/{id}", "/api/users/{id}"),
        ("/api/docs/a/b/c", "GET /api/docs/{slug}", "/api/docs/{slug}"),
    ])
    func spanIsNamedAfterTheRouteTemplate(target: String, name: String, route: String) async throws {
        let tracer = W3CInMemoryTracer()
        let client = TestClient(app: Self.app(tracer))
        let response = await client.request("GET", target, headers: [("User-Agent", "curl/8.5"), ("Host", "api.example.com:8443")])
        #expect(response.status == 200)
        let span = try Self.onlySpan(tracer)
        #expect(span.operationName == name)
        #expect(span.kind == .server)
        #expect(span.attributes["http.request.method"]?.toSpanAttribute() == "GET")
        #expect(span.attributes["http.route"]?.toSpanAttribute() == .string(route))
        #expect(span.attributes["url.path"]?.toSpanAttribute() == .string(String(target.prefix { $0 != "?" })))
        #expect(span.attributes["url.scheme"]?.toSpanAttribute() == "http")
        #expect(span.attributes["http.response.status_code"]?.toSpanAttribute() == 200)
        #expect(span.attributes["http.response.body.size"]?.toSpanAttribute() == 2)
        #expect(span.attributes["server.address"]?.toSpanAttribute() == "api.example.com")
        #expect(span.attributes["client.address"]?.toSpanAttribute() == "127.0.0.1")
        #expect(span.attributes["user_agent.original"]?.toSpanAttribute() == "curl/8.5")
        #expect(span.status == nil)
        #expect(span.parentSpanID == nil)
    }

    /// Work handed over with `res.after` belongs to the request's trace: its span is a child of
    /// the server span, though it starts after that span has ended.
    @Test func workAfterTheResponseContinuesTheTrace() async throws {
        let tracer = W3CInMemoryTracer()
        let app = Self.app(tracer) { _, res in
            res.send("ok")
            res.after { tracer.withSpan("send welcome email", context: .current ?? .topLevel) { _ in } }
        }
        let response = await TestClient(app: app).request("GET", "/api/hello")
        #expect(response.status == 200)
        await app.afterResponse.idle()
        let spans = tracer.finishedSpans
        let server = try #require(spans.first { $0.operationName == "GET /api/hello" })
        let work = try #require(spans.first { $0.operationName == "send welcome email" })
        #expect(work.traceID == server.traceID)
        #expect(work.parentSpanID == server.spanID)
    }

    @Test func requestBodySizeIsRecorded() async throws {
        let tracer = W3CInMemoryTracer()
        let response = await TestClient(app: Self.app(tracer) { req, res in res.json(req.body.json) })
            .request("POST", "/api/hello", headers: [("Content-Type", "application/json")], body: Array(#"{"name":"Ada"}"#.utf8))
        #expect(response.status == 200)
        let span = try Self.onlySpan(tracer)
        #expect(span.operationName == "POST /api/hello")
        #expect(span.attributes["http.request.body.size"]?.toSpanAttribute() == 14)
    }

    @Test func callersTraceparentIsContinuedAndLogLinesCarryTheIds() async throws {
        let tracer = W3CInMemoryTracer()
        let client = TestClient(app: Self.app(tracer) { req, res in
            req.log.info("looking it up")
            res.send("ok")
        })
        let caller = "0af7651916cd43dd8448eb211c80319c"
        let callerSpan = "b7ad6b7169203331"
        _ = await client.request("GET", "/api/users/7", headers: [("traceparent", "00-\(caller)-\(callerSpan)-01")])
        let span = try Self.onlySpan(tracer)
        #expect(span.traceID == caller)
        #expect(span.parentSpanID == callerSpan)
        let line = try #require(client.log.lines.first { $0.contains("looking it up") })
        #expect(line.contains("trace_id=\(caller) span_id=\(span.spanID)"), "\(line)")
    }

    @Test func jsonLogLinesCarryTheIds() async throws {
        let tracer = W3CInMemoryTracer()
        let log = MemoryLogWriter()
        let pipeline = RequestPipeline(app: Self.app(tracer) { req, res in
            req.log.warning("slow provider")
            res.send("ok")
        }, logFormat: .json)
        await pipeline.run(
            variables: CGIEnvironment(["REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api/hello"]), body: BufferedBodySource([]),
            sink: BufferedResponseSink(), id: "r1", logWriter: log)
        let span = try Self.onlySpan(tracer)
        let line = try #require(log.lines.first)
        let object = try #require(JSON(parsing: Array(line.utf8)).objectValue)
        #expect(object["trace_id"]?.stringValue == span.traceID)
        #expect(object["span_id"]?.stringValue == span.spanID)
    }

    @Test func untracedRequestsLogNoIds() async {
        let client = TestClient(app: App(routes: RouteTable([Route("/t", handlers: ["GET": { req, res in
            req.log.info("hi")
            res.send("ok")
        }])])))
        _ = await client.request("GET", "/t")
        #expect(client.log.lines.count == 1)
        #expect(!client.log.lines.joined().contains("trace_id"))
    }

    @Test func spansTheHandlerStartsAreChildrenOfTheServerSpan() async throws {
        let tracer = W3CInMemoryTracer()
        @Sendable func lookUp() async throws -> String {
            // As an instrumented client would: a span in the current context, after a wait.
            try await Task.sleep(for: .milliseconds(5))
            return try await tracer.withSpan("SELECT users", context: .current ?? .topLevel, ofKind: .client) { _ in
                try await Task.sleep(for: .milliseconds(1))
                return "Ada"
            }
        }
        let client = TestClient(app: Self.app(tracer) { _, res in
            tracer.withSpan("render", context: .current ?? .topLevel) { _ in }
            res.send(try await lookUp())
        })
        let response = await client.request("GET", "/api/users/1")
        #expect(response.text == "Ada")
        let spans = tracer.finishedSpans
        let server = try #require(spans.first { $0.kind == .server })
        let render = try #require(spans.first { $0.operationName == "render" })
        let query = try #require(spans.first { $0.operationName == "SELECT users" })
        #expect(render.parentSpanID == server.spanID)
        #expect(query.parentSpanID == server.spanID)
        #expect(query.traceID == server.traceID)
    }

    @Test func clientErrorsAreNotSpanErrors() async throws {
        let tracer = W3CInMemoryTracer()
        let client = TestClient(app: Self.app(tracer) { _, _ in throw HTTPError(409, "Taken") })
        #expect(await client.request("GET", "/api/hello").status == 409)
        #expect(await client.request("GET", "/nowhere").status == 404)
        let spans = tracer.finishedSpans
        #expect(spans.map(\.operationName) == ["GET /api/hello", "GET"])
        #expect(spans.map { $0.attributes["http.response.status_code"]?.toSpanAttribute() } == [409, 404])
        #expect(spans.allSatisfy { $0.status == nil && $0.errors.isEmpty })
        #expect(spans[1].attributes["http.route"] == nil)
    }

    @Test func thrownErrorsAndServerErrorsSetTheErrorStatus() async throws {
        struct DatabaseDown: Error {}
        let tracer = W3CInMemoryTracer()
        let thrown = await TestClient(app: Self.app(tracer) { _, _ in throw DatabaseDown() }).request("GET", "/api/hello")
        #expect(thrown.status == 500)
        let unavailable = await TestClient(app: Self.app(tracer) { _, res in res.status(503).send("later") }).request("GET", "/api/hello")
        #expect(unavailable.status == 503)
        let spans = tracer.finishedSpans
        #expect(spans.count == 2)
        #expect(spans.allSatisfy { $0.status?.code == .error })
        #expect(spans[0].errors.count == 1)
        #expect(spans[0].errors.first?.error is DatabaseDown)
        #expect(spans[0].attributes["error.type"]?.toSpanAttribute() == "500")
        #expect(spans[1].attributes["error.type"]?.toSpanAttribute() == "503")
    }

    @Test func timedOutRequestEndsItsSpanSayingSo() async throws {
        let tracer = W3CInMemoryTracer()
        var app = Self.app(tracer) { _, res in
            try await Task.sleep(for: .seconds(10))
            res.send("late")
        }
        app.requestTimeout = .milliseconds(50)
        // In a task of its own, as the host runs each request: the timeout cancels the request's task.
        let response = await Task { await TestClient(app: app).request("GET", "/api/hello") }.value
        #expect(response.status == 504)
        let span = try Self.onlySpan(tracer)
        #expect(span.status?.code == .error)
        #expect(span.status?.message?.contains("timed out") == true)
        #expect(span.attributes["error.type"]?.toSpanAttribute() == "timeout")
        #expect(span.attributes["http.response.status_code"]?.toSpanAttribute() == 504)
    }

    @Test func requestWhoseClientLeftEndsItsSpanSayingSo() async throws {
        let tracer = W3CInMemoryTracer()
        let started = Atomic<Bool>(false)
        let client = TestClient(app: Self.app(tracer) { _, res in
            started.store(true, ordering: .relaxed)
            try await Task.sleep(for: .seconds(10))
            res.send("late")
        })
        // The host cancels a request's task when the web server aborts it (its client left).
        let request = Task { await client.request("GET", "/api/hello") }
        try await eventually { started.load(ordering: .relaxed) }
        request.cancel()
        _ = await request.value
        let span = try Self.onlySpan(tracer)
        #expect(span.status?.code == .error)
        #expect(span.status?.message?.contains("client left") == true)
        #expect(span.attributes["error.type"]?.toSpanAttribute() == "cancelled")
    }

    @Test func streamedResponseEndsItsSpanAfterTheLastChunk() async throws {
        let tracer = W3CInMemoryTracer()
        let openWhileStreaming = Mutex<[Bool]>([])
        let client = TestClient(app: Self.app(tracer) { _, res in
            for chunk in 0..<3 {
                res.write("event \(chunk)\n")
                try await Task.sleep(for: .milliseconds(5))
                let open = tracer.finishedSpans.isEmpty && tracer.activeSpans.contains { $0.kind == .server }
                openWhileStreaming.withLock { $0.append(open) }
            }
            res.end()
        })
        let response = await client.request("GET", "/api/hello")
        #expect(response.text == "event 0\nevent 1\nevent 2\n")
        #expect(openWhileStreaming.withLock { $0 } == [true, true, true])
        let span = try Self.onlySpan(tracer)
        #expect(span.attributes["http.response.body.size"]?.toSpanAttribute() == 24)
        #expect(tracer.activeSpans.isEmpty)
    }

    @Test func hostPagesHaveNoSpan() async throws {
        let tracer = W3CInMemoryTracer()
        let pipeline = RequestPipeline(app: Self.app(tracer))
        pipeline.hostPage = { req, res in
            guard req.path == "/status" else { return false }
            res.send("up")
            return true
        }
        for path in ["/status", "/api/hello"] {
            await pipeline.run(
                variables: CGIEnvironment(["REQUEST_METHOD": "GET", "SCRIPT_NAME": path]), body: BufferedBodySource([]),
                sink: BufferedResponseSink(), id: "r", logWriter: MemoryLogWriter())
        }
        #expect(tracer.finishedSpans.map(\.operationName) == ["GET /api/hello"])
    }

    @Test func madeUpMethodsAreOther() async throws {
        let tracer = W3CInMemoryTracer()
        _ = await TestClient(app: Self.app(tracer)).request("BREW", "/api/hello")
        let span = try Self.onlySpan(tracer)
        #expect(span.operationName == "HTTP /api/hello")
        #expect(span.attributes["http.request.method"]?.toSpanAttribute() == "_OTHER")
        #expect(span.attributes["http.request.method_original"]?.toSpanAttribute() == "BREW")
    }
}
#endif
