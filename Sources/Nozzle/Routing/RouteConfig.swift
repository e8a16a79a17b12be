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
    /// A response body this large or larger is logged as a warning naming the route, as Next.js's
    /// `responseLimit` does: `"4mb"` by default, nil for no warning. The response is sent all the same.
    public var responseLimit: SizeLimit?
    /// What each method takes and gives, by method, for the OpenAPI document; see ``OperationSchema``.
    public var schemas: [HTTPMethod: OperationSchema]
    /// The path parameters' types and rules, checked before any handler; see ``ParameterRules``.
    public var params: ParameterRules?
    /// The methods a route's `handler` answers, when it does not answer them all: any other method
    /// gets a 405 with `Allow`, as a route with a handler per method does, and the OpenAPI document
    /// lists these alone. HEAD comes with GET. Nil (the default): `handler` answers every method,
    /// as a Next.js API route does.
    ///
    /// ```swift
    /// static let config = RouteConfig(methods: [.GET])
    /// static func handler(_ req: Request, _ res: Response) { res.end("Post: \(params(req).pid)") }
    /// ```
    public var methods: Set<HTTPMethod>?

    /// A route config; the body parser is on with a 1mb limit unless set otherwise.
    public init(
        bodyParser: BodyParserConfig? = BodyParserConfig(), middleware: [any Middleware] = [], externalResolver: Bool = false,
        responseLimit: SizeLimit? = "4mb", methods: Set<HTTPMethod>? = nil, params: (any Validatable.Type)? = nil,
        schemas: [HTTPMethod: OperationSchema] = [:]
    ) {
        self.methods = methods
        self.bodyParser = bodyParser
        self.middleware = middleware
        self.externalResolver = externalResolver
        self.responseLimit = responseLimit
        self.params = params.map(ParameterRules.init)
        self.schemas = schemas
    }

    /// A route config with the body parser on (`true`) or off (`false`).
    public init(
        bodyParser enabled: Bool, middleware: [any Middleware] = [], externalResolver: Bool = false, responseLimit: SizeLimit? = "4mb",
        methods: Set<HTTPMethod>? = nil, params: (any Validatable.Type)? = nil, schemas: [HTTPMethod: OperationSchema] = [:]
    ) {
        self.init(
            bodyParser: enabled ? BodyParserConfig() : nil, middleware: middleware, externalResolver: externalResolver, responseLimit: responseLimit,
            methods: methods, params: params, schemas: schemas)
    }
}

/// The body parser's settings for a route: its size limit, and the limits on what a body may hold.
///
/// Every limit answers 413 with a JSON body that names it, before the handler runs:
///
/// ```swift
/// static let config = RouteConfig(bodyParser: .init(sizeLimit: "100kb", parameterLimit: 50))
/// // 413 {"error":"Too many parameters","limit":"parameterLimit","max":50}
/// ```
public struct BodyParserConfig: Sendable {
    /// The size limit as written: `"1mb"`, `"500kb"`, or a byte count.
    public var sizeLimit: SizeLimit
    /// The most parameters a URL-encoded body, or this route's query string, may hold: 1000 by
    /// default, as body-parser's `parameterLimit` and PHP's `max_input_vars`.
    public var parameterLimit: Int
    /// 1000, the default ``parameterLimit``.
    public static let defaultParameterLimit = 1000
    /// The deepest nesting of arrays and objects in a JSON body: 512 by default.
    public var jsonDepthLimit: Int
    /// The most members one object of a JSON body may have: 10,000 by default.
    public var jsonMemberLimit: Int
    /// The most parts a `multipart/form-data` body may have: 1000 by default.
    public var partLimit: Int
    /// The most bytes of headers one part of a multipart body may have: 16kb by default, as busboy.
    public var partHeaderSizeLimit: SizeLimit
    /// JSON bodies must be an object or an array at the top level, as body-parser's `strict` (on
    /// by default): a bare `true` or `"text"` is a 400. Off, any JSON value is accepted, as Next.js does.
    public var strict: Bool
    /// URL-encoded bodies read `user[name]=Ada` and `a[]=1` into nested objects and arrays, as
    /// body-parser's `extended` (qs); off by default, when keys stay as they are.
    public var extended: Bool
    /// With ``extended``, the deepest nesting of a key: 32 by default, as body-parser; deeper is a 400.
    public var depth: Int
    /// Inflate bodies sent with `Content-Encoding` gzip, deflate or br, as body-parser's `inflate`
    /// (on by default); off, such a body is a 415.
    public var inflate: Bool

    /// Settings with a size limit (`"1mb"` by default) and the other limits at their defaults.
    public init(
        sizeLimit: SizeLimit = "1mb",
        parameterLimit: Int = BodyParserConfig.defaultParameterLimit,
        jsonDepthLimit: Int = 512,
        jsonMemberLimit: Int = 10_000,
        partLimit: Int = 1000,
        partHeaderSizeLimit: SizeLimit = "16kb",
        strict: Bool = true,
        extended: Bool = false,
        depth: Int = 32,
        inflate: Bool = true
    ) {
        self.sizeLimit = sizeLimit
        self.parameterLimit = parameterLimit
        self.jsonDepthLimit = jsonDepthLimit
        self.jsonMemberLimit = jsonMemberLimit
        self.partLimit = partLimit
        self.partHeaderSizeLimit = partHeaderSizeLimit
        self.strict = strict
        self.extended = extended
        self.depth = depth
        self.inflate = inflate
    }

    /// The JSON limits these settings give.
    var jsonLimits: JSONLimits { JSONLimits(depth: jsonDepthLimit, members: jsonMemberLimit) }
}
