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
/// await app.main()
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
    /// Development mode: error details appear in 500 bodies.
    public var development = false

    /// An app serving `routes`.
    public init(routes: RouteTable) { self.routes = routes }

    /// Adds app-wide middleware; it runs for every route, in the order added.
    public mutating func use(_ middleware: any Middleware) { self.middleware.append(middleware) }

    /// Adds app-wide middleware from a closure.
    public mutating func use(_ body: @escaping @Sendable (Request, Response, Next) async throws -> Void) {
        middleware.append(MiddlewareFunction(body))
    }

    /// Problems with the routes' configs, such as a malformed size limit, each naming its route file.
    public var configurationErrors: [String] {
        routes.routes.compactMap { route in
            guard let limit = route.config.bodyParser?.sizeLimit, limit.bytes == nil else { return nil }
            let name = route.file.isEmpty ? route.pattern : route.file
            return "\(name): invalid bodyParser.sizeLimit \"\(limit.text)\": use a byte count or a size such as \"500kb\" or \"1mb\""
        }
    }
}
