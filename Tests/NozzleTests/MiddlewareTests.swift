import Nozzle
import NozzleTesting
import Synchronization
import Testing

struct MiddlewareTests {
    @Test func appThenRouteMiddlewareThenHandler() async {
        let tag: @Sendable (String) -> MiddlewareFunction = { name in
            MiddlewareFunction { _, res, next in
                res.appendHeader("X-Order", name)
                try await next()
            }
        }
        let response = await client(config: RouteConfig(middleware: [tag("route")]), configure: { app in
            app.use(tag("app1"))
            app.use(tag("app2"))
        }) { _, res in res.send("handler") }.request("GET", "/t")
        #expect(response.headers.all("X-Order") == ["app1", "app2", "route"])
        #expect(response.text == "handler")
    }

    @Test func middlewareThatAnswersStopsTheChain() async {
        let response = await client(configure: { app in
            app.use { req, res, next in
                guard req.headers["Authorization"] == "Bearer secret" else { throw HTTPError(401, "Unauthorized") }
                try await next()
            }
        }) { _, res in res.send("secret stuff") }.request("GET", "/t")
        #expect(response.status == 401)
        #expect(response.json == ["error": "Unauthorized"])
    }

    @Test func bodyParserErrorsNeverReachTheHandler() async {
        let reached = Atomic<Bool>(false)
        let response = await client { _, res in
            reached.store(true, ordering: .relaxed)
            res.send("no")
        }.request("POST", "/t", headers: [("Content-Type", "application/json")], body: Array("{".utf8))
        #expect(response.status == 400)
        let handlerRan = reached.load(ordering: .relaxed)
        #expect(!handlerRan)
    }

    @Test func errorHandlersSeeThrownErrors() async {
        struct PaymentDeclined: Error {}
        let test = client(configure: { app in
            app.onError { error, _, res in
                if error is PaymentDeclined { res.status(402).json(["error": "Payment declined"]) }
            }
        }) { req, _ in
            if req.query["fail"] == "payment" { throw PaymentDeclined() }
            throw HTTPError(409, "Conflict here")
        }
        let declined = await test.request("GET", "/t?fail=payment")
        #expect(declined.status == 402)
        #expect(declined.json == ["error": "Payment declined"])
        // An error the handler does not answer falls through to the default rendering.
        let other = await test.request("GET", "/t")
        #expect(other.status == 409)
    }

    @Test func failHelperSendsItsData() async {
        let response = await client { _, _ in throw fail(422, ["field": "email", "reason": "taken"]) }.request("POST", "/t")
        #expect(response.status == 422)
        #expect(response.json == ["field": "email", "reason": "taken"])
    }

    @Test func developmentModeShowsDetails() async {
        struct Oops: Error {}
        let production = await client { _, _ in throw Oops() }.request("GET", "/t")
        #expect(production.json == ["error": "Internal server error"])
        let development = await client(configure: { $0.development = true }) { _, _ in throw Oops() }.request("GET", "/t")
        #expect(development.json?["detail"]?.stringValue?.contains("Oops") == true)
    }

    @Test func externalResolverWaitsForEndElsewhere() async {
        let response = await client(config: RouteConfig(externalResolver: true)) { _, res in
            Task {
                try await Task.sleep(for: .milliseconds(50))
                res.send("resolved later")
            }
        }.request("GET", "/t")
        #expect(response.text == "resolved later")
    }

    @Test func externalResolverTimesOut() async {
        let test = client(config: RouteConfig(externalResolver: true), configure: { $0.externalResolverTimeout = .milliseconds(100) }) { _, _ in }
        let response = await test.request("GET", "/t")
        #expect(response.status == 504)
        #expect(test.log.lines.contains { $0.contains("externalResolver: no response sent") })
    }
}

struct CORSTests {
    func cors(_ options: CORS) -> TestClient {
        TestClient(app: App(routes: RouteTable([
            Route("/t", config: RouteConfig(middleware: [options]), handlers: ["GET": { _, res in res.json(["message": "Hello Everyone!"]) }])
        ])))
    }

    @Test func simpleRequestGetsAllowOrigin() async {
        let response = await cors(CORS(methods: ["GET", "HEAD"])).request("GET", "/t", headers: [("Origin", "https://a.example")])
        #expect(response.headers["Access-Control-Allow-Origin"] == "*")
        #expect(response.json == ["message": "Hello Everyone!"])
    }

    @Test func preflightIsAnsweredWithMethodsAndReflectedHeaders() async {
        let response = await cors(CORS(methods: ["GET", "HEAD"], maxAge: 600)).request("OPTIONS", "/t", headers: [
            ("Origin", "https://a.example"), ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "X-Token, Content-Type"),
        ])
        #expect(response.status == 204)
        #expect(response.headers["Access-Control-Allow-Methods"] == "GET,HEAD")
        #expect(response.headers["Access-Control-Allow-Headers"] == "X-Token, Content-Type")
        #expect(response.headers["Access-Control-Max-Age"] == "600")
        #expect(response.headers["Vary"] == "Access-Control-Request-Headers")
    }

    @Test(arguments: [
        ("https://good.example", "https://good.example"),
        ("https://evil.example", nil),
    ] as [(String, String?)])
    func listAndPatternOrigins(origin: String, allowed: String?) async {
        for option in [CORS.Origin.list(["https://good.example"]), .matching { $0.hasSuffix("good.example") }] {
            let response = await cors(CORS(origin: option, credentials: true)).request("GET", "/t", headers: [("Origin", origin)])
            #expect(response.headers["Access-Control-Allow-Origin"] == allowed)
            #expect(response.headers["Access-Control-Allow-Credentials"] == "true")
            #expect(response.headers["Vary"] == "Origin")
        }
    }

    @Test func preflightContinueAndSuccessStatus() async {
        let passed = await cors(CORS(preflightContinue: true)).request("OPTIONS", "/t", headers: [("Origin", "https://a")])
        #expect(passed.headers["Allow"] == "GET, HEAD")
        let legacy = await cors(CORS(optionsSuccessStatus: 200)).request("OPTIONS", "/t", headers: [("Origin", "https://a")])
        #expect(legacy.status == 200)
        let exposed = await cors(CORS(exposedHeaders: ["X-Total"])).request("GET", "/t")
        #expect(exposed.headers["Access-Control-Expose-Headers"] == "X-Total")
    }
}

struct RateLimitTests {
    @Test func answers429WithRetryAfterPerClient() async {
        let now = Atomic<Int>(1_000)
        let limiter = RateLimit(limit: 2, windowSeconds: 60, clock: { now.load(ordering: .relaxed) })
        let test = client(config: RouteConfig(middleware: [limiter])) { _, res in res.send("ok") }
        #expect(await test.request("GET", "/t").status == 200)
        let second = await test.request("GET", "/t")
        #expect(second.status == 200)
        #expect(second.headers["RateLimit-Remaining"] == "0")
        now.store(1_010, ordering: .relaxed)
        let third = await test.request("GET", "/t")
        #expect(third.status == 429)
        #expect(third.headers["Retry-After"] == "50")
        #expect(third.json == ["error": "Too many requests"])
        // Another client has its own count.
        #expect(await test.request("GET", "/t", environment: ["REMOTE_ADDR": "10.1.1.1"]).status == 200)
        // A new window starts over.
        now.store(1_060, ordering: .relaxed)
        #expect(await test.request("GET", "/t").status == 200)
    }
}
