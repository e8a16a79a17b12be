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
public final class Request: @unchecked Sendable {
    /// The method, upper case: `GET`, `POST`, …
    public let method: String
    /// The URL as the client sent it, with its query: `REQUEST_URI`.
    public let url: String
    /// The path the router matched, decoded per segment and without the base path: `/api/users/42`.
    public internal(set) var path: String
    /// Every FastCGI param (or CGI variable), by name: `SERVER_NAME`, `REMOTE_ADDR`, …
    public let environment: [String: String]
    /// The header fields.
    public let headers: Headers
    /// The query string's parameters, with the route's params merged in.
    public var query: Query
    /// The values of the route's dynamic segments.
    public internal(set) var params = RouteParams()
    /// The parsed body; ``RequestBody/none`` until the body parser has run.
    public var body: RequestBody = .none
    /// The exact bytes of the body, as read by the body parser: for signature checks over the raw body.
    public internal(set) var rawBody: [UInt8] = []
    /// An id for log lines: the web server's `REQUEST_ID` or `X-Request-Id` when sent, else one of ours.
    public let id: String
    /// A place for middleware to leave values for the handler.
    public var locals: [String: any Sendable] = [:]
    /// The logger for this request: its lines carry the method, path and request id.
    public let log: RequestLog

    /// The path still percent-encoded, when the web server's raw URI could be trusted; the router
    /// splits it before decoding each segment.
    let routingPath: String?
    var trustedProxies: TrustedProxies?
    let bodySource: any BodySource
    var bodyConsumed = false

    /// Builds a request from CGI-style variables and a body source.
    ///
    /// - Parameters:
    ///   - environment: FastCGI params or CGI variables: `REQUEST_METHOD`, `SCRIPT_NAME`, `HTTP_*`, …
    ///   - body: where the body bytes come from.
    ///   - basePath: a prefix that the route path does not include.
    ///   - id: the request id to use when the environment has none.
    ///   - logWriter: where log lines go.
    public init(
        environment: [String: String],
        body: any BodySource,
        basePath: String = "",
        id: String,
        logWriter: any LogWriter
    ) {
        self.environment = environment
        self.method = environment["REQUEST_METHOD"]?.uppercased() ?? "GET"
        let queryString = environment["QUERY_STRING"] ?? ""
        var rawPath = (environment["SCRIPT_NAME"] ?? "") + (environment["PATH_INFO"] ?? "")
        if rawPath.isEmpty, let uri = environment["REQUEST_URI"] {
            rawPath = String(uri.prefix { $0 != "?" })
        }
        // SCRIPT_NAME and PATH_INFO arrive decoded, which loses a %2F inside a segment. When the raw
        // REQUEST_URI decodes to the same path (no rewrite in between), route on the raw one instead.
        var encodedPath: String?
        if let uri = environment["REQUEST_URI"] {
            let uriPath = String(uri.prefix { $0 != "?" })
            if uriPath.utf8.contains(UInt8(ascii: "%")), PercentDecoding.decode(uriPath) == rawPath {
                encodedPath = uriPath
            }
        }
        func relative(_ path: String) -> String {
            var path = path
            if !basePath.isEmpty, path.hasPrefix(basePath) { path = String(path.dropFirst(basePath.count)) }
            return path.hasPrefix("/") ? path : "/" + path
        }
        rawPath = relative(rawPath)
        self.path = rawPath
        self.routingPath = encodedPath.map(relative)
        self.url = environment["REQUEST_URI"] ?? (queryString.isEmpty ? rawPath : rawPath + "?" + queryString)
        self.query = Query(parsing: queryString)
        var headers = Headers()
        for (name, value) in environment {
            if name.hasPrefix("HTTP_") {
                headers.add(Headers.name(fromCGI: name.dropFirst(5)), value)
            } else if name == "CONTENT_TYPE" || name == "CONTENT_LENGTH", !value.isEmpty {
                headers.add(Headers.name(fromCGI: name[...]), value)
            }
        }
        self.headers = headers
        self.bodySource = body
        let givenID = environment["REQUEST_ID"] ?? environment["HTTP_X_REQUEST_ID"]
        self.id = givenID.flatMap { $0.isEmpty ? nil : $0 } ?? id
        self.log = RequestLog(method: method, path: rawPath, requestID: self.id, writer: logWriter)
    }

    /// `CONTENT_LENGTH` as a number, when the web server sent a valid one. It may be missing, empty or
    /// wrong (chunked bodies with `fastcgi_request_buffering off`), so it is only a hint.
    public var contentLength: Int? {
        guard let text = environment["CONTENT_LENGTH"], !text.isEmpty else { return nil }
        return Int(text)
    }

    /// The peer address the web server saw: `REMOTE_ADDR`.
    public var remoteAddress: String? { environment["REMOTE_ADDR"] }
    /// The peer port the web server saw: `REMOTE_PORT`.
    public var remotePort: Int? { environment["REMOTE_PORT"].flatMap { Int($0) } }
    /// The client address: `REMOTE_ADDR`, or, when that peer is a trusted proxy, the nearest
    /// untrusted address in `X-Forwarded-For` (see ``App/trustedProxies``).
    public var ip: String? {
        guard let remote = remoteAddress, let trusted = trustedProxies, trusted.trusts(remote),
            let forwarded = headers["X-Forwarded-For"]
        else { return remoteAddress }
        let chain = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
        for address in chain.reversed() where !trusted.trusts(address) { return address }
        return chain.first ?? remote
    }

    /// The cookies the client sent, parsed from `Cookie` on first use.
    public private(set) lazy var cookies: [String: String] = CookieParser.parse(headers["Cookie"])

    /// Whether the body's `Content-Type` matches `type`: `"json"`, `"application/json"`, `"text/*"`,
    /// `"+json"`, `"multipart"`, `"urlencoded"`. False when there is no body type.
    public func `is`(_ type: String) -> Bool {
        guard let header = headers["Content-Type"] else { return false }
        let actual = MediaType(header).essence
        guard !actual.isEmpty else { return false }
        let wanted = type.lowercased()
        switch wanted {
        case "json": return MediaType(header).isJSON
        case "urlencoded", "form": return actual == "application/x-www-form-urlencoded"
        case "multipart": return actual.hasPrefix("multipart/")
        case "text", "html", "xml":
            return actual == MediaTypes.expand(wanted).split(separator: ";")[0]
        default:
            if wanted.hasPrefix("+") { return actual.hasSuffix(wanted) }
            if wanted.hasSuffix("/*") { return actual.hasPrefix(wanted.dropLast()) }
            if wanted.hasPrefix("*/") { return actual.hasSuffix(wanted.dropFirst()) }
            return actual == wanted
        }
    }
    /// Whether the client connected over TLS: `HTTPS` is `on`.
    public var secure: Bool { environment["HTTPS"].map { $0.lowercased() == "on" || $0 == "1" } ?? false }
    /// `https` or `http`.
    public var `protocol`: String { secure ? "https" : "http" }
    /// `SERVER_NAME`.
    public var serverName: String? { environment["SERVER_NAME"] }
    /// `SERVER_PORT`.
    public var serverPort: Int? { environment["SERVER_PORT"].flatMap { Int($0) } }
    /// `SERVER_PROTOCOL`, such as `HTTP/1.1`.
    public var serverProtocol: String? { environment["SERVER_PROTOCOL"] }
    /// The raw `REQUEST_URI`: not decoded, with the query.
    public var requestURI: String? { environment["REQUEST_URI"] }

    /// Reads the whole body into memory, up to `limit` bytes.
    ///
    /// - Throws: ``BodyTooLarge`` as soon as more than `limit` bytes arrive; bytes past the limit
    ///   are never buffered.
    public func readBody(limit: Int) throws -> [UInt8] {
        if bodyConsumed { return rawBody }
        bodyConsumed = true
        if let length = contentLength, length > limit { throw BodyTooLarge(limit: limit) }
        var bytes: [UInt8] = []
        if let length = contentLength { bytes.reserveCapacity(length) }
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try bodySource.read(into: $0) }
            if count == 0 { break }
            if bytes.count + count > limit { throw BodyTooLarge(limit: limit) }
            bytes.append(contentsOf: chunk[0..<count])
        }
        rawBody = bytes
        return bytes
    }
}

/// The body was larger than the limit allowed.
public struct BodyTooLarge: Error, Sendable {
    /// The limit in bytes.
    public var limit: Int
}
