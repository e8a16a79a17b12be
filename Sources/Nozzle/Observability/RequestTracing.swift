#if Tracing
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

    /// Starts the request's span, continuing the caller's trace context when it sent one. Its
    /// attributes are written when it ends, all at once.
    func start(_ variables: CGIEnvironment, method: String) -> any Span {
        var context = ServiceContext.current ?? ServiceContext.topLevel
        tracer.extract(variables, into: &context, using: CGIHeaderExtractor())
        // Named after the route once routing has run; the method alone when no route matched.
        let known = OpenTelemetryHTTP.method(method)
        return tracer.startSpan(known == "_OTHER" ? "HTTP" : known, context: context, ofKind: .server)
    }

    /// Ends the span with what the request came to: its route, status and sizes, and why it failed.
    static func end(_ span: any Span, _ req: Request, _ res: Response, outcome: Outcome) {
        // A span the tracer's sampler left out records nothing: it is only ended.
        guard span.isRecording else {
            span.end()
            return
        }
        let status = res.sentStatus
        let method = OpenTelemetryHTTP.method(req.method)
        if let template = req.routeTemplate {
            span.operationName = "\(method == "_OTHER" ? "HTTP" : method) \(template)"
        }
        var attributes = requestAttributes(req.variables, method: method, original: req.method)
        if let template = req.routeTemplate { attributes.set("http.route", value: .string(template)) }
        attributes.set("http.response.status_code", value: .int64(Int64(status)))
        attributes.set("http.response.body.size", value: .int64(Int64(res.bytesSent)))
        if let length = req.contentLength ?? (req.rawBody.isEmpty ? nil : req.rawBody.count) {
            attributes.set("http.request.body.size", value: .int64(Int64(length)))
        }
        switch outcome {
        case .answered where status >= 500: attributes.set("error.type", value: .string(String(status)))
        case .answered: break
        case .timedOut: attributes.set("error.type", value: .string("timeout"))
        case .cancelled: attributes.set("error.type", value: .string("cancelled"))
        }
        span.attributes = attributes
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

    /// What the request itself says: method, scheme, path, server, client, user agent, protocol.
    private static func requestAttributes(_ variables: CGIEnvironment, method: String, original: String) -> SpanAttributes {
        var attributes = SpanAttributes()
        // Room for all of them at once: the dictionary never grows.
        attributes.reserveCapacity(18)
        func set(_ name: String, _ value: String?) { if let value { attributes.set(name, value: .string(value)) } }
        func set(_ name: String, number: String?) {
            if let number = number.flatMap({ Int64($0) }) { attributes.set(name, value: .int64(number)) }
        }
        set("http.request.method", method)
        if method != original { set("http.request.method_original", original) }
        if let https = variables["HTTPS"] {
            set("url.scheme", https.lowercased() == "on" || https == "1" ? "https" : "http")
        } else {
            set("url.scheme", variables["REQUEST_SCHEME"] ?? "http")
        }
        set("url.path", variables["REQUEST_URI"].map { String($0.prefix { $0 != "?" }) })
        set("server.address", (variables["HTTP_HOST"] ?? variables["SERVER_NAME"]).map(hostName))
        set("server.port", number: variables["SERVER_PORT"])
        set("client.address", variables["REMOTE_ADDR"])
        set("client.port", number: variables["REMOTE_PORT"])
        set("user_agent.original", variables["HTTP_USER_AGENT"])
        if let version = variables["SERVER_PROTOCOL"], version.hasPrefix("HTTP/") {
            set("network.protocol.version", String(version.dropFirst(5)))
        }
        return attributes
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

/// A request's span context and its tracer: the ids its log lines carry, read when one is written.
struct TraceSource: Sendable {
    let tracer: any Tracer
    let context: ServiceContext

    /// The trace and span ids, as the tracer writes them into `traceparent`; nil when it does not
    /// speak W3C trace context.
    var ids: RequestLog.TraceIDs? {
        var traceparent: String?
        tracer.inject(context, into: &traceparent, using: TraceparentInjector())
        return traceparent.flatMap(RequestLog.TraceIDs.init(traceparent:))
    }
}

/// Keeps the `traceparent` a tracer injects, and nothing else.
struct TraceparentInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout String?) {
        if key.utf8.count == 11, key.lowercased() == "traceparent" { carrier = value }
    }
}
#endif
