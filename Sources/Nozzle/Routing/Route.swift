import NozzleRouteGrammar

/// One entry of a route table: a URL pattern, its handlers by method, and its config.
///
/// The route plugin writes these from the `api/` folder; tests may also build them by hand:
///
/// ```swift
/// Route("/api/post/[pid]", file: "api/post/[pid].swift", handlers: ["GET": { req, res in
///     res.send("Post: \(req.params["pid"]!)")
/// }])
/// ```
public final class Route: Sendable {
    /// The pattern in file-path syntax: `/api/post/[pid]`, `/api/post/[...slug]`, `/api/opt/[[...slug]]`.
    public let pattern: String
    /// The route file, relative to the package: `api/post/[pid].swift`.
    public let file: String
    /// The route's settings.
    public let config: RouteConfig
    /// The handlers by method; the key `*` is a handler for every method.
    public var handlers: [String: Handler] {
        Dictionary(methodHandlers.map { ($0.method, $0.handler) }, uniquingKeysWith: { first, _ in first })
    }
    /// The handlers as the route answers with them (a method at most once).
    let methodHandlers: [RouteHandler]
    /// What the route file's doc comments say, for the OpenAPI document.
    public let documentation: RouteDocumentation
    let segments: [RouteSegment]
    /// The pattern as OpenAPI and OpenTelemetry's `http.route` write it: `/api/post/{pid}`, and
    /// `/api/post/{slug}` for a catch-all, optional or not.
    public let template: String
    /// Whether the route declares path or query parameters to check before its handler: most
    /// routes do not, and skip the check on every request.
    let checksParameters: Bool

    /// A route whose handlers are given by method, as a route table built by hand writes them.
    public convenience init(
        _ pattern: String, file: String = "", config: RouteConfig = RouteConfig(), handlers: [String: Handler],
        documentation: RouteDocumentation = RouteDocumentation()
    ) {
        self.init(pattern, file: file, config: config, handlers: handlers.map { RouteHandler($0.key, $0.value) }, documentation: documentation)
    }

    /// A route, as the route plugin writes it; a method given twice keeps its first handler.
    public init(
        _ pattern: String, file: String = "", config: RouteConfig = RouteConfig(), handlers: [RouteHandler],
        documentation: RouteDocumentation = RouteDocumentation()
    ) {
        self.pattern = pattern
        self.file = file
        self.config = config
        var methods = Set<String>()
        self.methodHandlers = handlers.filter { methods.insert($0.method).inserted }
        self.documentation = documentation
        do {
            self.segments = try RouteSegment.segments(of: pattern)
        } catch {
            // A route table the plugin wrote is valid already; one built by hand stops at start.
            fatalError("route \(pattern)\(file.isEmpty ? "" : " (\(file))"): \(error.message)")
        }
        template = OpenAPIDocument.openAPIPaths(segments).last?.0 ?? pattern
        checksParameters = config.params != nil || config.schemas.values.contains { $0.queryParameters != nil }
    }

    /// The methods this route answers, as the `Allow` header lists them: HEAD comes with GET.
    public var allowedMethods: [String] {
        if own("*") != nil && config.methods == nil { return Route.standardMethods }
        var methods: [String] = []
        for method in Route.standardMethods where handler(for: method) != nil {
            methods.append(method)
        }
        for method in methodHandlers.map(\.method).sorted() where method != "*" && !Route.standardMethods.contains(method) {
            methods.append(method)
        }
        return methods
    }

    /// The handler for `method`: HEAD is served by GET, and `handler` (`*`) serves the methods
    /// ``RouteConfig/methods`` lists, or all of them.
    public func handler(for method: String) -> Handler? {
        if let handler = own(method) { return handler }
        if method == "HEAD", let get = own("GET") { return get }
        guard let any = own("*") else { return nil }
        guard let only = config.methods else { return any }
        let named = HTTPMethod(rawValue: method == "HEAD" ? "GET" : method)
        return named.map(only.contains) == true || (method == "HEAD" && only.contains(.HEAD)) ? any : nil
    }

    /// The handler given for exactly `method` (`*` for the route's `handler`), if any. A route has a
    /// handful of methods at most: a scan is quicker than hashing the method.
    func own(_ method: String) -> Handler? {
        for entry in methodHandlers where entry.method == method { return entry.handler }
        return nil
    }

    static let standardMethods = HTTPMethod.allCases.map(\.rawValue)
}

/// A route file's `///` doc comments, which the route plugin copies into the route table: the
/// route type's, and each handler's by method (`*` for `handler`). The OpenAPI document takes each
/// one's first paragraph as the summary and the rest as the description.
public struct RouteDocumentation: Sendable, Equatable {
    /// The route type's comment.
    public var route: String
    /// Each handler's comment, by method.
    public var handlers: [String: String]

    /// Doc comments; none unless given.
    public init(_ route: String = "", handlers: [String: String] = [:]) {
        self.route = route
        self.handlers = handlers
    }
}
