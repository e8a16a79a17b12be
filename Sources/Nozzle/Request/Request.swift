#if Tracing
package import Tracing
#endif

/// An HTTP request, as a route handler sees it.
///
/// The host builds a request from the FastCGI params (or the CGI environment) and the body stream.
///
/// ```swift
/// static func GET(_ req: Request, _ res: Response) async throws {
///     let id = req.params["id"]
///     let page = req.query["page"] ?? "1"
///     let agent = req.headers["user-agent"]
/// }
/// ```
///
/// - Important: A request belongs to one chain of middleware and handler at a time; it is not meant
///   to be shared between concurrent tasks.
// Unchecked: its vars (params, query, body, locals) are written by that one chain at a time, as the
// note above says; the body stream it reads from is Sendable on its own. Exclusivity unchecked on
// the stored `var`s, as on ``Response``'s: an overlapping access could only come from that chain's
// own code, and the runtime's check on each access is paid by every request.
public final class Request: @unchecked Sendable {
    /// The method, upper case: `GET`, `POST`, …
    public let method: String
    /// The URL as the client sent it, with its query: `REQUEST_URI`.
    public let url: String
    /// The path the router matched, decoded per segment and without the base path: `/api/users/42`.
    @exclusivity(unchecked) public internal(set) var path: String
    /// The FastCGI params (or CGI variables) as received; ``environment`` is the same as a dictionary.
    public let variables: CGIEnvironment
    /// Every FastCGI param (or CGI variable), by name: `SERVER_NAME`, `REMOTE_ADDR`, …
    public private(set) lazy var environment: [String: String] = variables.dictionary
    /// The header fields, from the `HTTP_*` params, `CONTENT_TYPE` and `CONTENT_LENGTH`.
    public private(set) lazy var headers: Headers = variables.headers
    /// The query string's parameters, with the route's params merged in.
    ///
    /// Parsed on first use. Before the handler runs, the route's `parameterLimit` is checked: a
    /// query string with more parameters is answered 413.
    public var query: Query {
        get {
            if let parsedQuery { return parsedQuery }
            let query = Query(parsing: queryString)
            parsedQuery = query
            return query
        }
        set { parsedQuery = newValue }
    }
    /// `QUERY_STRING` as received.
    public let queryString: String
    @exclusivity(unchecked) private var parsedQuery: Query?
    /// The values of the route's dynamic segments.
    @exclusivity(unchecked) public internal(set) var params = RouteParams()
    /// The parsed body; ``RequestBody/none`` until the body parser has run.
    @exclusivity(unchecked) public var body: RequestBody = .none
    /// The exact bytes of the body, as read by the body parser: for signature checks over the raw body.
    @exclusivity(unchecked) public internal(set) var rawBody: [UInt8] = []
    /// An id for log lines: the web server's `REQUEST_ID` or `X-Request-Id` when sent, else one of ours.
    public let id: String
    /// A place for middleware to leave values for the handler.
    @exclusivity(unchecked) public var locals: [String: any Sendable] = [:]
    /// The logger for this request: its lines carry the method, path and request id.
    @exclusivity(unchecked) public internal(set) var log: RequestLog

    /// The path still percent-encoded, when the web server's raw URI could be trusted; the router
    /// splits it before decoding each segment.
    let routingPath: String?
    @exclusivity(unchecked) var trustedProxies: TrustedProxies?
    /// The matched route's place in the app's route table, once routed; nil when none matched.
    @exclusivity(unchecked) package internal(set) var routeIndex: Int?
    /// The template of the route that answered, as OpenAPI and OpenTelemetry write it
    /// (`/api/post/{pid}`), once routing has run.
    @exclusivity(unchecked) package internal(set) var routeTemplate: String?
    #if Tracing
    /// The request's server span, when it is traced.
    @exclusivity(unchecked) package var span: (any Span)?
    #endif
    let bodySource: any BodySource
    @exclusivity(unchecked) var bodyConsumed = false
    /// The response to this request, for ``fresh``; the request pipeline lets go of it when the
    /// request is over.
    @exclusivity(unchecked) package var response: Response?

    /// Builds a request from CGI-style variables and a body source.
    ///
    /// - Parameters:
    ///   - environment: FastCGI params or CGI variables: `REQUEST_METHOD`, `SCRIPT_NAME`, `HTTP_*`, …
    ///   - body: where the body bytes come from.
    ///   - basePath: a prefix that the route path does not include.
    ///   - id: the request id to use when the environment has none.
    ///   - logWriter: where log lines go.
    ///   - logFormat: how log lines are written: logfmt or JSON.
    public convenience init(
        environment: [String: String],
        body: any BodySource,
        basePath: String = "",
        id: String,
        logWriter: any LogWriter,
        logFormat: LogFormat = .logfmt
    ) {
        self.init(variables: CGIEnvironment(environment), body: body, basePath: basePath, id: id, logWriter: logWriter, logFormat: logFormat)
    }

    /// A request URI's path: what comes before its `?`, found among its bytes (a `?` is one byte in
    /// UTF-8, never part of another character).
    static func pathPart(of uri: String) -> Substring {
        guard let end = HTTPText.firstOffset(of: UInt8(ascii: "?"), in: uri.utf8) else { return uri[...] }
        return uri[..<uri.utf8.index(uri.utf8.startIndex, offsetBy: end)]
    }

    /// Builds a request from FastCGI params or CGI variables as received, and a body source.
    public init(
        variables: CGIEnvironment,
        body: any BodySource,
        basePath: String = "",
        id: String,
        logWriter: any LogWriter,
        logFormat: LogFormat = .logfmt
    ) {
        self.variables = variables
        let method = variables[.requestMethod] ?? "GET"
        self.method = HTTPText.hasLowercase(method.utf8) ? method.uppercased() : method
        let queryString = variables[.queryString] ?? ""
        let requestURI = variables[.requestURI]
        // nginx's fastcgi_params send the whole path as SCRIPT_NAME and PATH_INFO empty.
        let scriptName = variables[.scriptName] ?? "", pathInfo = variables[.pathInfo] ?? ""
        var rawPath = pathInfo.isEmpty ? scriptName : scriptName + pathInfo
        if rawPath.isEmpty, let uri = requestURI {
            rawPath = String(Request.pathPart(of: uri))
        }
        // SCRIPT_NAME and PATH_INFO arrive decoded, which loses a %2F inside a segment. When the raw
        // REQUEST_URI decodes to the same path (no rewrite in between), route on the raw one instead.
        var encodedPath: String?
        if let uri = requestURI {
            let uriPath = Request.pathPart(of: uri)
            if HTTPText.firstOffset(of: UInt8(ascii: "%"), in: uriPath.utf8) != nil, PercentDecoding.decode(String(uriPath)) == rawPath {
                encodedPath = String(uriPath)
            }
        }
        func relative(_ path: String) -> String {
            var path = path
            if !basePath.isEmpty, path.hasPrefix(basePath) { path = String(path.dropFirst(basePath.count)) }
            return path.utf8.first == UInt8(ascii: "/") ? path : "/" + path
        }
        rawPath = relative(rawPath)
        self.path = rawPath
        self.routingPath = encodedPath.map(relative)
        self.url = requestURI ?? (queryString.isEmpty ? rawPath : rawPath + "?" + queryString)
        self.queryString = queryString
        self.bodySource = body
        self.id = Request.id(variables, generated: id)
        self.log = RequestLog(method: self.method, path: rawPath, requestID: self.id, writer: logWriter, format: logFormat)
        self.contentLength = variables[.contentLength].flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
    }

    /// The request's id: the web server's (`REQUEST_ID`, `X-Request-Id`) when it sent one, else `generated`.
    package static func id(_ variables: CGIEnvironment, generated: String) -> String {
        let given = variables[.requestID] ?? variables[.xRequestID]
        return given.flatMap { $0.isEmpty ? nil : $0 } ?? generated
    }

    /// `CONTENT_LENGTH` as a number, when the web server sent a valid one. It may be missing, empty,
    /// `-1` (Caddy streaming a chunked body) or wrong (chunked bodies with
    /// `fastcgi_request_buffering off`), so it is only a hint.
    public let contentLength: Int?

    /// The peer address the web server saw: `REMOTE_ADDR`.
    public var remoteAddress: String? { variables["REMOTE_ADDR"] }
    /// The peer port the web server saw: `REMOTE_PORT`.
    public var remotePort: Int? { variables["REMOTE_PORT"].flatMap { Int($0) } }
    /// The client address: `REMOTE_ADDR`, or, when that peer is a trusted proxy, the nearest
    /// untrusted address in `X-Forwarded-For` (see ``App/trustedProxies``).
    public var ip: String? {
        guard let remote = remoteAddress, let trusted = trustedProxies, trusted.trusts(remote),
            let forwarded = headers["X-Forwarded-For"]
        else { return remoteAddress }
        var text = forwarded
        // Split on bytes: the list is untrusted text of any length.
        let chain = text.withUTF8 { bytes in
            var entries: [String] = []
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ",") {
                let entry = HTTPText.trimmed(bytes, start..<index)
                if !entry.isEmpty { entries.append(entry) }
                start = index + 1
            }
            return entries
        }
        for address in chain.reversed() where !trusted.trusts(address) { return address }
        return chain.first ?? remote
    }

    /// The cookies the client sent, parsed from `Cookie` on first use.
    public private(set) lazy var cookies: [String: String] = CookieParser.parse(headers["Cookie"])

    /// `CONTENT_TYPE`, the body's media type.
    public var contentType: String? { variables[.contentType].flatMap { $0.isEmpty ? nil : $0 } }

    /// Whether the body's `Content-Type` matches `type`: `"json"`, `"application/json"`, `"text/*"`,
    /// `"+json"`, `"multipart"`, `"urlencoded"`. False when there is no body type.
    public func `is`(_ type: String) -> Bool {
        guard let header = contentType else { return false }
        let actual = MediaType(header).essence
        guard !actual.isEmpty else { return false }
        let wanted = type.lowercased()
        switch wanted {
        case "json": return MediaType(header).isJSON
        case "urlencoded", "form": return actual == "application/x-www-form-urlencoded"
        case "multipart": return actual.utf8.starts(with: "multipart/".utf8)
        case "text", "html", "xml":
            return actual == MediaTypes.expand(wanted).split(separator: ";")[0]
        default:
            // Compared as bytes: the Content-Type is the client's text.
            func ends(with suffix: some StringProtocol) -> Bool { actual.utf8.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) }
            func starts(with prefix: some StringProtocol) -> Bool { actual.utf8.prefix(prefix.utf8.count).elementsEqual(prefix.utf8) }
            if wanted.hasPrefix("+") { return ends(with: wanted) }
            if wanted.hasSuffix("/*") { return starts(with: wanted.dropLast()) }
            if wanted.hasPrefix("*/") { return ends(with: wanted.dropFirst()) }
            return actual == wanted
        }
    }
    /// Whether the client connected over TLS: `HTTPS` is `on`.
    public var secure: Bool { variables[.https].map { $0.lowercased() == "on" || $0 == "1" } ?? false }
    /// `https` or `http`.
    public var `protocol`: String { secure ? "https" : "http" }
    /// `SERVER_NAME`.
    public var serverName: String? { variables["SERVER_NAME"] }
    /// `SERVER_PORT`.
    public var serverPort: Int? { variables["SERVER_PORT"].flatMap { Int($0) } }
    /// `SERVER_PROTOCOL`, such as `HTTP/1.1`.
    public var serverProtocol: String? { variables["SERVER_PROTOCOL"] }
    /// The raw `REQUEST_URI`: not decoded, with the query.
    public var requestURI: String? { variables[.requestURI] }

    /// Parses the query string, unless that has happened already.
    ///
    /// - Throws: ``ParameterLimitExceeded`` when it has more than `parameterLimit` parameters.
    func parseQuery(parameterLimit: Int) throws(ParameterLimitExceeded) {
        guard parsedQuery == nil else { return }
        parsedQuery = try Query(parsing: queryString, parameterLimit: parameterLimit)
    }

    /// Whether the request has a body, as Express's `type-is` decides: a `CONTENT_LENGTH` that is a
    /// number (`0` too), or a `Transfer-Encoding`, which a `CONTENT_LENGTH` of `-1` stands for.
    public var hasBody: Bool {
        contentLength != nil || CGIEnvironment.isStreamedLength(variables[.contentLength]) || !(variables[.transferEncoding] ?? "").isEmpty
    }

    /// Reads the whole body into memory, up to `limit` bytes. Waiting for the bytes holds no thread.
    ///
    /// - Throws: ``BodyTooLarge`` as soon as more than `limit` bytes arrive (at once when
    ///   `CONTENT_LENGTH` says so); bytes past the limit are never buffered.
    public nonisolated(nonsending) func readBody(limit: Int) async throws -> [UInt8] {
        try await readBody(limit: limit, decompressor: nil)
    }

    /// Reads the whole body, inflated by `decompressor` when given; the limit applies to what
    /// comes out, counted as it comes.
    nonisolated(nonsending) func readBody(limit: Int, decompressor: BodyDecompressor?) async throws -> [UInt8] {
        if bodyConsumed { return rawBody }
        bodyConsumed = true
        if decompressor == nil, let length = contentLength, length > limit { throw BodyTooLarge(limit: limit) }
        var bytes: [UInt8] = []
        func take(_ chunk: [UInt8]) throws {
            if bytes.count + chunk.count > limit { throw BodyTooLarge(limit: limit) }
            if bytes.isEmpty { bytes = chunk } else { bytes += chunk }
        }
        while let chunk = try await bodySource.next() {
            if let decompressor { try decompressor.feed(chunk, take) } else { try take(chunk) }
        }
        try decompressor?.finish()
        rawBody = bytes
        return bytes
    }
}

/// The body was larger than the limit allowed.
public struct BodyTooLarge: Error, Sendable {
    /// The limit in bytes.
    public var limit: Int
}
