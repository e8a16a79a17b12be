#if ServiceLifecycle
import ServiceLifecycle
#endif
public import CoreMetrics
#if Tracing
public import Tracing
#endif

/// A Nozzle app: its compiled routes, its app-wide middleware, and how it maps URLs to routes.
///
/// `main.swift` of an app:
/// ```swift
/// import NozzleFastCGI
///
/// var app = App(routes: .generated)     // written by the route plugin from api/
/// app.use { req, res, next in
///     res.setHeader("X-Powered-By", "Nozzle")
///     try await next()
/// }
/// app.main()
/// ```
public struct App: Sendable {
    /// The compiled routes.
    public var routes: RouteTable
    /// App-wide middleware, in the order registered.
    public private(set) var middleware: [any Middleware] = []
    /// A path prefix the routes do not include, such as `/app` when nginx passes `/app/api/...`.
    public var basePath = ""
    /// When set, `/api/users/` no longer matches `/api/users`. Off by default: webhook senders break on redirects.
    public var strictTrailingSlash = false
    /// How `res.send` and `res.json` tag responses for caching: weak ETags by default, as Express.
    public var etag = ETagMode.weak
    /// How `req.query.json` reads bracketed keys: as they are (``QueryParser/simple``, the default, as
    /// Express 5 and Next.js), or nested as qs does (``QueryParser/extended(depth:arrayLimit:)``).
    public var queryParser = QueryParser.simple
    /// Development mode: error details appear in 500 bodies.
    public var development = false
    /// Peers whose `X-Forwarded-For` ``Request/ip`` believes; none unless set.
    public var trustedProxies: TrustedProxies?
    /// How long a request may take: past it, the handler's task is cancelled and the client gets
    /// 504 `{"error":"Request timed out"}`. Nil means no limit.
    public var requestTimeout: Duration?
    /// The most ``Response/after(_:)`` closures that run at once in a process; the rest wait for
    /// a slot, in order, and none is dropped. 100 unless set (`--max-after-response`).
    public var maxAfterResponse = 100 {
        didSet { afterResponse.limit = maxAfterResponse }
    }
    /// The work ``Response/after(_:)`` hands over, and its counts.
    public let afterResponse = AfterResponseWork(limit: 100)
    /// How long a route with `externalResolver` may keep its response open after its handler returns.
    public var externalResolverTimeout: Duration = .seconds(30)
    /// Error handlers, in order: each sees an error that the chain threw, and may answer it.
    public private(set) var errorHandlers: [ErrorHandler] = []
    /// The title, version and description of the app's OpenAPI document (`app openapi`); the title
    /// is the executable's name unless set.
    public var openAPI = OpenAPIInfo()
    #if ServiceLifecycle
    /// Long-lived parts of the app that run beside the host in each worker process, as
    /// swift-service-lifecycle's services: a PostgresNIO client, a job runner, anything that
    /// conforms to `Service`. They are started, in order, before the process serves; on SIGTERM or a
    /// reload they are shut down gracefully, in reverse order, once the requests in flight and the
    /// `res.after` work have finished (each within `--shutdown-timeout`). One that ends or throws
    /// while the process serves stops it. With the package's `ServiceLifecycle` trait.
    ///
    /// ```swift
    /// let client = PostgresClient(configuration: configuration)
    /// app.services.append(client)
    /// ```
    public var services: [any Service] = []
    #endif
    #if Tracing
    /// The tracer that records a server span for each request. Nil, the default, means the one
    /// bootstrapped with `InstrumentationSystem.bootstrap(_:)` (swift-otel's, say), if any: with
    /// neither, requests are not traced and pay nothing for it. With the package's `Tracing` trait.
    public var tracer: (any Tracer)?
    #endif
    /// Where request metrics go (`http.server.request.duration`, `http.server.active_requests`, body
    /// sizes). Nil, the default, means the factory bootstrapped with `MetricsSystem.bootstrap(_:)`,
    /// if any: with neither, nothing is recorded and nothing is paid.
    public var metricsFactory: (any MetricsFactory)?
    /// Start-up work, in order; see ``onStart(_:)``.
    public private(set) var startHandlers: [@Sendable () async throws -> Void] = []

    /// An app serving `routes`.
    public init(routes: RouteTable) { self.routes = routes }

    /// Adds app-wide middleware; it runs for every route, in the order added.
    public mutating func use(_ middleware: any Middleware) { self.middleware.append(middleware) }

    /// Adds app-wide middleware from a closure.
    public mutating func use(_ body: @escaping @Sendable (Request, Response, Next) async throws -> Void) {
        middleware.append(MiddlewareFunction(body))
    }

    /// Adds an error handler, as Express's `(err, req, res, next)` middleware: it runs when a
    /// middleware or handler throws. If it sends nothing, the next one, and then the default JSON
    /// error response, take over; if it throws, that error goes on instead.
    ///
    /// ```swift
    /// app.onError { error, req, res in
    ///     if let error = error as? PaymentDeclined { res.status(402).json(["error": "Payment declined"]) }
    /// }
    /// ```
    public mutating func onError(_ handler: @escaping ErrorHandler) { errorHandlers.append(handler) }

    /// Adds start-up work, such as opening a database: it runs once in each process before that
    /// process answers requests (a server, its supervisor and each worker process, a CGI request, or
    /// `call`), after `--user` and `--group` take effect, and not for commands that only print, such
    /// as `routes`. A thrown error stops the app before it serves, with the error's text and exit
    /// status 1. The work may `await`, to connect to a database server, say.
    ///
    /// ```swift
    /// app.onStart { try Database.open(path) }
    /// app.onStart { try await Postgres.connectAndMigrate(url) }
    /// ```
    public mutating func onStart(_ body: @escaping @Sendable () async throws -> Void) { startHandlers.append(body) }

    /// Runs the ``onStart(_:)`` work in order; the first error stops it.
    package func runStartHandlers() async throws {
        for handler in startHandlers { try await handler() }
    }

    /// Problems with the routes' configs, such as a malformed size limit, each naming its route file.
    public var configurationErrors: [String] {
        clashes + routes.routes.flatMap { route -> [String] in
            let name = route.file.isEmpty ? route.pattern : route.file
            var problems = route.config.schemas.sorted { $0.key.rawValue < $1.key.rawValue }.flatMap { method, schema in
                (schema.ruleProblems + (schema.queryParameters?.problems ?? [])).map { "\(name): \(method): \($0)" }
            }
            problems += (route.config.params?.problems ?? []).map { "\(name): params: \($0)" }
            if let declared = route.config.params?.properties.keys {
                let segments = Set(route.segments.compactMap { segment -> String? in
                    switch segment {
                    case .literal: nil
                    case .param(let name), .catchAll(let name), .optionalCatchAll(let name): name
                    }
                })
                for key in declared where !segments.contains(key) {
                    problems.append("\(name): params: '\(key)' is not a parameter of \(route.pattern)")
                }
            }
            if route.config.methods != nil && route.own("*") == nil {
                problems.append("\(name): methods: the route has a function per method, which are the methods it answers; `methods` is for `handler`")
            }
            if let limit = route.config.responseLimit, limit.bytes == nil {
                problems.append("\(name): invalid responseLimit \"\(limit.text)\": use a byte count or a size such as \"4mb\", or nil for none")
            }
            guard let parser = route.config.bodyParser else { return problems }
            for (option, limit) in [("sizeLimit", parser.sizeLimit), ("partHeaderSizeLimit", parser.partHeaderSizeLimit)] where limit.bytes == nil {
                problems.append("\(name): invalid bodyParser.\(option) \"\(limit.text)\": use a byte count or a size such as \"500kb\" or \"1mb\"")
            }
            let counts = [
                ("parameterLimit", parser.parameterLimit), ("jsonDepthLimit", parser.jsonDepthLimit),
                ("jsonMemberLimit", parser.jsonMemberLimit), ("partLimit", parser.partLimit),
            ]
            for (option, value) in counts where value < 1 {
                problems.append("\(name): invalid bodyParser.\(option) \(value): it must be at least 1")
            }
            return problems
        }
    }
}

extension App {
    /// Routes that serve the same paths (the same literals, parameters in the same places, under
    /// any names): a route file beside a route made elsewhere, such as from an OpenAPI document.
    /// The route plugin refuses clashes between route files at build time; these only show at start.
    var clashes: [String] {
        var first: [[String]: Route] = [:]
        var problems: [String] = []
        for route in routes.routes {
            let shape = route.segments.map { segment -> String in
                switch segment {
                case .literal(let text): text
                case .param: "[]"
                case .catchAll: "[...]"
                case .optionalCatchAll: "[[...]]"
                }
            }
            guard let earlier = first[shape] else {
                first[shape] = route
                continue
            }
            let name = { (route: Route) in route.file.isEmpty ? route.pattern : route.file }
            problems.append("\(name(earlier)) and \(name(route)) both serve \(route.pattern): give one of them another path")
        }
        return problems
    }
}

/// How the query string's keys are read; see ``App/queryParser``.
public enum QueryParser: Sendable {
    /// Keys as they are: `a[b]=1` is the key `a[b]`.
    case simple
    /// Bracketed keys nest, as Express's `"extended"` query parser (qs) reads them, with qs's limits:
    /// keys nested deeper than `depth` keep the rest as one literal key, and an index above
    /// `arrayLimit` is an object key.
    case extended(depth: Int = 5, arrayLimit: Int = 20)
}
