/// CORS headers and preflight answers, with the options of the Express `cors` package.
///
/// ```swift
/// static let config = RouteConfig(middleware: [CORS(methods: [.GET, .HEAD])])
/// app.use(CORS(origin: .list(["https://example.com"]), credentials: true, maxAge: 600))
/// ```
public struct CORS: Middleware {
    /// Which origins may read the response.
    public enum Origin: Sendable {
        /// Any origin: `Access-Control-Allow-Origin: *`.
        case any
        /// One fixed origin, sent whatever the request's origin.
        case exactly(String)
        /// The request's origin when it is in the list.
        case list([String])
        /// The request's origin when the predicate accepts it, as a pattern or a function does.
        case matching(@Sendable (String) -> Bool)
        /// The request's origin, whatever it is.
        case reflect
        /// No CORS headers at all.
        case disabled
    }

    public var origin: Origin
    public var methods: [HTTPMethod]
    /// Headers a preflight may ask for; nil reflects `Access-Control-Request-Headers`.
    public var allowedHeaders: [String]?
    public var exposedHeaders: [String]
    public var credentials: Bool
    /// `Access-Control-Max-Age` in seconds.
    public var maxAge: Int?
    /// Pass preflight requests on to the route instead of answering them here.
    public var preflightContinue: Bool
    /// The status of a preflight answer; 204 unless set (some old browsers want 200).
    public var optionsSuccessStatus: Int

    /// CORS with the `cors` package's defaults: any origin, the usual methods, reflected headers.
    public init(
        origin: Origin = .any,
        methods: [HTTPMethod] = [.GET, .HEAD, .PUT, .PATCH, .POST, .DELETE],
        allowedHeaders: [String]? = nil,
        exposedHeaders: [String] = [],
        credentials: Bool = false,
        maxAge: Int? = nil,
        preflightContinue: Bool = false,
        optionsSuccessStatus: Int = 204
    ) {
        self.origin = origin
        self.methods = methods
        self.allowedHeaders = allowedHeaders
        self.exposedHeaders = exposedHeaders
        self.credentials = credentials
        self.maxAge = maxAge
        self.preflightContinue = preflightContinue
        self.optionsSuccessStatus = optionsSuccessStatus
    }

    public func handle(_ req: Request, _ res: Response, next: Next) async throws {
        if case .disabled = origin { return try await next() }
        setOrigin(req, res)
        if credentials { res.setHeader("Access-Control-Allow-Credentials", "true") }
        if req.method == "OPTIONS" {
            res.setHeader("Access-Control-Allow-Methods", methods.map(\.rawValue).joined(separator: ","))
            if let allowedHeaders {
                if !allowedHeaders.isEmpty { res.setHeader("Access-Control-Allow-Headers", allowedHeaders.joined(separator: ",")) }
            } else if let requested = req.headers["Access-Control-Request-Headers"] {
                addVary("Access-Control-Request-Headers", res)
                res.setHeader("Access-Control-Allow-Headers", requested)
            }
            if let maxAge { res.setHeader("Access-Control-Max-Age", String(maxAge)) }
            if preflightContinue { return try await next() }
            res.status(optionsSuccessStatus).setHeader("Content-Length", "0").end()
            return
        }
        if !exposedHeaders.isEmpty { res.setHeader("Access-Control-Expose-Headers", exposedHeaders.joined(separator: ",")) }
        try await next()
    }

    func setOrigin(_ req: Request, _ res: Response) {
        let requestOrigin = req.headers["Origin"]
        switch origin {
        case .any:
            res.setHeader("Access-Control-Allow-Origin", "*")
        case .exactly(let value):
            res.setHeader("Access-Control-Allow-Origin", value)
            addVary("Origin", res)
        case .list(let allowed):
            if let requestOrigin, allowed.contains(requestOrigin) { res.setHeader("Access-Control-Allow-Origin", requestOrigin) }
            addVary("Origin", res)
        case .matching(let accepts):
            if let requestOrigin, accepts(requestOrigin) { res.setHeader("Access-Control-Allow-Origin", requestOrigin) }
            addVary("Origin", res)
        case .reflect:
            if let requestOrigin { res.setHeader("Access-Control-Allow-Origin", requestOrigin) }
            addVary("Origin", res)
        case .disabled:
            break
        }
    }

    func addVary(_ field: String, _ res: Response) {
        let existing = res.getHeader("Vary").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: " ") } } ?? []
        guard !existing.contains(where: { $0.lowercased() == field.lowercased() || $0 == "*" }) else { return }
        res.setHeader("Vary", (existing + [field]).joined(separator: ", "))
    }
}
