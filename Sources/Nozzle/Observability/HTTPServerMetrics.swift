import CoreMetrics
import Synchronization

/// Request metrics through swift-metrics, under the OpenTelemetry names Hummingbird's
/// `MetricsMiddleware` uses, so that dashboards carry over:
///
/// - `http.server.request.duration`, a timer with `http.route`, `http.request.method` and
///   `http.response.status_code`;
/// - `http.server.active_requests`, a meter with `http.request.method`;
/// - `http.server.request.body.size` and `http.server.response.body.size`, recorders with the
///   duration's dimensions.
///
/// Methods outside HTTP's own are counted as `_OTHER`, as OpenTelemetry says, so a client sending
/// made-up methods cannot grow the number of series; routes are templates, never raw paths, and
/// `""` when no route matched.
final class HTTPServerMetrics: Sendable {
    let factory: any MetricsFactory
    private let active = Mutex([String: Meter]())
    private let instruments = Mutex([Key: Instruments]())

    /// The app's factory, or the bootstrapped one; nil when there is none, so that an app without
    /// metrics pays nothing per request.
    init?(app: App) {
        if let factory = app.metricsFactory {
            self.factory = factory
            return
        }
        let factory = MetricsSystem.factory
        if factory is NOOPMetricsHandler { return nil }
        self.factory = factory
    }

    /// The instruments of one route, method and status.
    struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    struct Instruments {
        let duration: Timer
        let requestSize: Recorder
        let responseSize: Recorder
    }

    /// Counts a request in flight, until ``finished(_:_:nanoseconds:)``.
    @discardableResult
    func started(method: String) -> Meter {
        let method = OpenTelemetryHTTP.method(method)
        let meter = active.withLock { meters in
            if let meter = meters[method] { return meter }
            let meter = Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method)], factory: factory)
            meters[method] = meter
            return meter
        }
        meter.increment()
        return meter
    }

    /// Records a request the client has had its answer to.
    func finished(_ req: Request, _ res: Response, nanoseconds: Int64) {
        active.withLock { $0[OpenTelemetryHTTP.method(req.method)] }?.decrement()
        let key = Key(route: req.routeTemplate ?? "", method: OpenTelemetryHTTP.method(req.method), status: res.sentStatus)
        let found = instruments.withLock { cache in
            if let found = cache[key] { return found }
            let dimensions = [("http.route", key.route), ("http.request.method", key.method), ("http.response.status_code", String(key.status))]
            let made = Instruments(
                duration: Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory),
                requestSize: Recorder(label: "http.server.request.body.size", dimensions: dimensions, factory: factory),
                responseSize: Recorder(label: "http.server.response.body.size", dimensions: dimensions, factory: factory))
            cache[key] = made
            return made
        }
        found.duration.recordNanoseconds(nanoseconds)
        found.requestSize.record(req.contentLength ?? req.rawBody.count)
        found.responseSize.record(res.bytesSent)
    }
}

/// What OpenTelemetry's HTTP conventions say about values Nozzle writes into spans and metrics.
enum OpenTelemetryHTTP {
    /// The methods the conventions know; any other is `_OTHER`.
    static let knownMethods: Set<String> = ["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE", "QUERY"]

    /// The method as `http.request.method` takes it.
    static func method(_ method: String) -> String { knownMethods.contains(method) ? method : "_OTHER" }
}
