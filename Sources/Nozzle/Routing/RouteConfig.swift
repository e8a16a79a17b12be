/// A route's settings: its body parser and its own middleware.
///
/// ```swift
/// static let config = RouteConfig(bodyParser: .init(sizeLimit: "500kb"))
/// static let config = RouteConfig(bodyParser: false)          // the handler streams the body
/// ```
public struct RouteConfig: Sendable {
    /// The body parser's settings, or nil when the parser is off.
    public var bodyParser: BodyParserConfig?
    /// Middleware that runs for this route, after the app's.
    public var middleware: [any Middleware]
    /// Keep the response open after the handler returns, until `res.end()` is called elsewhere.
    public var externalResolver: Bool

    /// A route config; the body parser is on with a 1mb limit unless set otherwise.
    public init(bodyParser: BodyParserConfig? = BodyParserConfig(), middleware: [any Middleware] = [], externalResolver: Bool = false) {
        self.bodyParser = bodyParser
        self.middleware = middleware
        self.externalResolver = externalResolver
    }

    /// A route config with the body parser on (`true`) or off (`false`).
    public init(bodyParser enabled: Bool, middleware: [any Middleware] = [], externalResolver: Bool = false) {
        self.init(bodyParser: enabled ? BodyParserConfig() : nil, middleware: middleware, externalResolver: externalResolver)
    }
}

/// The body parser's settings for a route.
public struct BodyParserConfig: Sendable {
    /// The size limit as written: `"1mb"`, `"500kb"`, or a byte count.
    public var sizeLimit: SizeLimit

    /// Settings with a size limit; `"1mb"` by default.
    public init(sizeLimit: SizeLimit = "1mb") { self.sizeLimit = sizeLimit }
}
