import Tracing

/// A server span per request, as OpenTelemetry's HTTP conventions describe it, with the tracer the
/// app was given or the one bootstrapped with `InstrumentationSystem`.
///
/// The span starts when the request is admitted, continuing the caller's trace when the request
/// carries W3C trace context (`traceparent`, `tracestate`; nginx passes them as `HTTP_TRACEPARENT`
/// and `HTTP_TRACESTATE`), and is the task-local `ServiceContext` while the handler runs, so spans
/// the handler starts, and instrumented clients it calls, are its children. It is named
/// `GET /api/users/{id}` (the method and the route's template, never the raw path) and ends when
/// the response's last byte is handed to the web server.
struct RequestTracing: Sendable {
    let tracer: any Tracer

    /// The app's tracer, or the bootstrapped one; nil when there is none, so that an app without
    /// tracing pays nothing per request.
    init?(app: App) {
        if let tracer = app.tracer {
            self.tracer = tracer
            return
        }
        let tracer = InstrumentationSystem.tracer
        if tracer is NoOpTracer { return nil }
        self.tracer = tracer
    }

    /// Starts the request's span, continuing the caller's trace context when it sent one.
    func start(_ variables: CGIEnvironment, method: String) -> any Span {
        var context = ServiceContext.current ?? ServiceContext.topLevel
        tracer.extract(variables, into: &context, using: CGIHeaderExtractor())
        // Named after the route once routing has run; the method alone when no route matched.
        let known = OpenTelemetryHTTP.method(method)
        let span = tracer.startSpan(known == "_OTHER" ? "HTTP" : known, context: context, ofKind: .server)
        var attributes = SpanAttributes()
        attributes["http.request.method"] = known
        if known != method { attributes["http.request.method_original"] = method }
        if let scheme = variables["HTTPS"].map({ $0.lowercased() == "on" || $0 == "1" ? "https" : "http" }) ?? variables["REQUEST_SCHEME"] {
            attributes["url.scheme"] = scheme
        } else {
            attributes["url.scheme"] = "http"
        }
        if let uri = variables["REQUEST_URI"] { attributes["url.path"] = String(uri.prefix { $0 != "?" }) }
        if let host = variables["HTTP_HOST"] ?? variables["SERVER_NAME"] {
            attributes["server.address"] = Self.hostName(host)
        }
        if let port = variables["SERVER_PORT"].flatMap({ Int($0) }) { attributes["server.port"] = port }
        if let client = variables["REMOTE_ADDR"] { attributes["client.address"] = client }
        if let port = variables["REMOTE_PORT"].flatMap({ Int($0) }) { attributes["client.port"] = port }
        if let agent = variables["HTTP_USER_AGENT"] { attributes["user_agent.original"] = agent }
        if let version = variables["SERVER_PROTOCOL"], version.hasPrefix("HTTP/") {
            attributes["network.protocol.version"] = String(version.dropFirst(5))
        }
        span.attributes = attributes
        return span
    }

    /// The trace and span ids of a span, as its tracer writes them into `traceparent`; nil when
    /// the tracer does not speak W3C trace context.
    func ids(of span: any Span) -> RequestLog.TraceIDs? {
        var carrier: [String: String] = [:]
        tracer.inject(span.context, into: &carrier, using: DictionaryInjector())
        return carrier["traceparent"].flatMap(RequestLog.TraceIDs.init(traceparent:))
    }

    /// Ends the span with what the request came to: its route, status and sizes, and why it failed.
    static func end(_ span: any Span, _ req: Request, _ res: Response, outcome: Outcome) {
        let status = res.sentStatus
        if let template = req.routeTemplate {
            let method = OpenTelemetryHTTP.method(req.method)
            span.operationName = "\(method == "_OTHER" ? "HTTP" : method) \(template)"
        }
        span.updateAttributes { attributes in
            if let template = req.routeTemplate { attributes["http.route"] = template }
            attributes["http.response.status_code"] = status
            attributes["http.response.body.size"] = res.bytesSent
            if let length = req.contentLength {
                attributes["http.request.body.size"] = length
            } else if !req.rawBody.isEmpty {
                attributes["http.request.body.size"] = req.rawBody.count
            }
            switch outcome {
            case .answered where status >= 500: attributes["error.type"] = String(status)
            case .answered: break
            case .timedOut: attributes["error.type"] = "timeout"
            case .cancelled: attributes["error.type"] = "cancelled"
            }
        }
        switch outcome {
        case .answered where status >= 500:
            span.setStatus(SpanStatus(code: .error))
        case .answered:
            break
        case .timedOut:
            span.setStatus(SpanStatus(code: .error, message: "request timed out: answered 504 and its handler cancelled"))
        case .cancelled:
            span.setStatus(SpanStatus(code: .error, message: "cancelled: the client left before the answer"))
        }
        span.end()
    }

    /// How a request ended, for its span.
    enum Outcome {
        /// The app answered it (with whatever status).
        case answered
        /// `--request-timeout` answered it with a 504.
        case timedOut
        /// The web server gave up on it: its client left.
        case cancelled
    }

    /// `example.com` from `example.com:8080` and `::1` from `[::1]:8080`.
    static func hostName(_ host: String) -> String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            return String(host[host.index(after: host.startIndex)..<close])
        }
        if let colon = host.firstIndex(of: ":"), host[host.index(after: colon)...].allSatisfy(\.isNumber) {
            return String(host[..<colon])
        }
        return host
    }
}

/// Reads a request header from the CGI variables: `traceparent` is `HTTP_TRACEPARENT`.
struct CGIHeaderExtractor: Extractor {
    func extract(key: String, from variables: CGIEnvironment) -> String? {
        var name = "HTTP_"
        for character in key.utf8 {
            switch character {
            case UInt8(ascii: "-"): name.append("_")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): name.append(Character(Unicode.Scalar(character - 32)))
            default: name.append(Character(Unicode.Scalar(character)))
            }
        }
        return variables[name]
    }
}

/// Writes trace context into a dictionary, to read the ids a tracer gives a span.
struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key.lowercased()] = value
    }
}

extension RequestLog {
    /// The ids that join a request's log lines to its trace, written as `trace_id` and `span_id`.
    public struct TraceIDs: Sendable, Equatable {
        /// The trace's id: 32 lowercase hex digits.
        public var traceID: String
        /// The request's server span's id: 16 lowercase hex digits.
        public var spanID: String

        /// Ids as given.
        public init(traceID: String, spanID: String) {
            self.traceID = traceID
            self.spanID = spanID
        }

        /// The ids of a W3C `traceparent` value, `00-<trace id>-<span id>-<flags>`; nil when it is
        /// not one.
        public init?(traceparent: String) {
            let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count >= 4, parts[1].utf8.count == 32, parts[2].utf8.count == 16,
                parts[1].utf8.allSatisfy(Self.isHex), parts[2].utf8.allSatisfy(Self.isHex)
            else { return nil }
            self.init(traceID: String(parts[1]), spanID: String(parts[2]))
        }

        private static func isHex(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        }
    }
}
