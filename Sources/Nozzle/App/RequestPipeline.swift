import Synchronization
#if Tracing
import Tracing
#endif

/// One request's way through an app, whatever carried it: FastCGI, CGI, or ``App/call(_:_:headers:body:environment:contentLength:requestID:logWriter:)``.
///
/// The host hands over the request as it arrived (its CGI variables, a body source, a response
/// sink) and the pipeline builds the ``Request`` and ``Response``, answers the host's own pages
/// (status, ping), runs the app within ``App/requestTimeout``, and finishes the sink exactly once:
/// when the app is done, or at the timeout with a 504, whichever comes first. After a timeout the
/// handler's task is cancelled; whatever it sends later is dropped.
///
/// A class, so that a request's task holds a reference instead of a copy of the app's settings
/// (a few hundred bytes for each request in flight).
// Unchecked: `hostPage` and `completed` are set by the host that made the pipeline before it runs
// its first request, and never after; every other property is a `let` of a Sendable type. For the
// same reason their exclusivity is unchecked: every request reads them, and nothing writes them then.
package final class RequestPipeline: @unchecked Sendable {
    package let app: App
    package let basePath: String
    package let logFormat: LogFormat
    /// Pages the host answers itself before routing, such as the status page; true when it answered.
    @exclusivity(unchecked) package var hostPage: (@Sendable (Request, Response) -> Bool)?
    /// Called once per request of the app, when the client has its answer, with the seconds it took.
    /// Its third argument is the matched route's place in the app's route table (nil when none
    /// matched): read here, where the request's fields cost no exclusivity check.
    @exclusivity(unchecked) package var completed: (@Sendable (Request, Response, Int?, Double) -> Void)?
    #if Tracing
    /// The server spans, when the app has a tracer.
    let tracing: RequestTracing?
    #endif
    /// The request metrics, when the app has a metrics factory.
    let metrics: HTTPServerMetrics?
    /// Whether requests are traced or measured: what plain requests skip.
    let observes: Bool
    /// What requests' start times are counted from.
    private let epoch = ContinuousClock.now

    /// A pipeline for `app`; its tracer and metrics factory are the ones set or bootstrapped now.
    package init(app: App, basePath: String? = nil, logFormat: LogFormat = .logfmt) {
        self.app = app
        self.basePath = basePath ?? app.basePath
        self.logFormat = logFormat
        metrics = HTTPServerMetrics(app: app)
        #if Tracing
        tracing = RequestTracing(app: app)
        observes = tracing != nil || metrics != nil
        #else
        observes = metrics != nil
        #endif
    }

    /// Answers one request; returns once the app is done with it (which, after a timeout, can be
    /// long after the client had its 504).
    package func run(variables: CGIEnvironment, body: any BodySource, sink: any ResponseSink, id: String, logWriter: any LogWriter) async {
        guard let (req, res) = begin(variables: variables, body: body, sink: sink, id: id, logWriter: logWriter) else { return }
        await answer(req, res)
    }

    /// ``run(variables:body:sink:id:logWriter:)``'s first half, which needs no waiting: the request
    /// and its response (which keeps when the request began); nil when the host answered it itself
    /// (its status or ping page). The FastCGI host calls the two halves from a request's task, so that
    /// what a request is made from stays on the thread's stack instead of in the frames the task
    /// keeps while the handler waits.
    package func begin<Body: BodySource, Sink: ResponseSink, Log: LogWriter>(
        variables: CGIEnvironment, body: Body, sink: Sink, id: String, logWriter: Log
    ) -> (Request, Response)? {
        let req = Request(variables: variables, body: body, basePath: basePath, id: id, logWriter: logWriter, logFormat: logFormat)
        let res = Response(sink: sink, method: req.method, log: req.log)
        res.etagMode = app.etag
        res.afterResponse = app.afterResponse
        res.began = sinceEpoch()
        // The two refer to each other until the app is done with them.
        res.request = req
        req.response = res
        guard let hostPage, hostPage(req, res) else { return (req, res) }
        // The host's own pages are not the app's requests: they are not counted.
        if !res.finished { res.end() }
        sink.finish()
        Self.unlink(req, res)
        return nil
    }

    /// ``run(variables:body:sink:id:logWriter:)``'s second half: runs the app on a request
    /// ``begin(variables:body:sink:id:logWriter:)`` made, and finishes it.
    package nonisolated(nonsending) func answer(_ req: Request, _ res: Response) async {
        if observes {
            await runObserved(req, res)
        } else {
            await respond(to: req, res)
        }
        Self.unlink(req, res)
    }

    /// Lets the request and its response go of each other, once the app is done with them. Not
    /// inlined: the exclusivity checks of its two writes would take room in a waiting task's frame.
    @inline(never)
    private static func unlink(_ req: Request, _ res: Response) {
        req.response = nil
        res.request = nil
    }

    /// The time since the pipeline was made: a plain `Duration`, which an async frame holds in 16
    /// bytes (a `ContinuousClock.Instant` is sized at run time, and allocated in the frame).
    private func sinceEpoch() -> Duration {
        epoch.duration(to: .now)
    }

    /// Runs the app, within ``App/requestTimeout`` when there is one.
    private nonisolated(nonsending) func respond(to req: Request, _ res: Response) async {
        guard let timeout = app.requestTimeout else {
            await app.respond(to: req, res)
            finish(req, res)
            return
        }
        await respond(to: req, res, timeout: timeout)
    }

    /// Runs the app in its server span, with the span's context as the task's `ServiceContext`, and
    /// counts it in flight. A function of its own, so that apps without either keep a smaller frame.
    @inline(never)
    private func runObserved(_ req: Request, _ res: Response) async {
        if let metrics { _ = metrics.started(method: req.method) }
        #if Tracing
        guard let tracing else {
            await respond(to: req, res)
            return
        }
        let span = tracing.start(req.variables, method: req.method)
        req.span = span
        let source = TraceSource(tracer: tracing.tracer, context: span.context)
        req.log.traceSource = source
        res.log.traceSource = source
        await ServiceContext.$current.withValue(span.context) {
            await respond(to: req, res)
        }
        #else
        await respond(to: req, res)
        #endif
    }

    /// Runs the app with ``App/requestTimeout``: past it, the request is answered 504 and its task
    /// cancelled. A function of its own, so that requests without a timeout keep a smaller frame.
    @inline(never)
    private func respond(to req: Request, _ res: Response, timeout: Duration) async {
        guard let task = withUnsafeCurrentTask(body: { $0 }) else {
            await app.respond(to: req, res)
            finish(req, res)
            return
        }
        // Set once, by whichever ends the request first: the app, or the timeout.
        let ended = Mutex(false)
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            // Under the lock: this task cannot end (below) while it is being cancelled. The 504
            // goes out before the cancellation, so the handler's reaction to it cannot come first.
            let expired = ended.withLock { ended -> Bool in
                guard !ended else { return false }
                ended = true
                _ = res.preempt(status: 504, json: ["error": "Request timed out"])
                task.cancel()
                return true
            }
            guard expired else { return }
            req.log.error("request timed out after \(timeout); cancelling its handler")
            finish(req, res, timedOut: true)
        }
        await app.respond(to: req, res)
        timer.cancel()
        let first = ended.withLock { ended -> Bool in
            defer { ended = true }
            return !ended
        }
        if first { finish(req, res) }
    }

    /// Ends the request once: the sink is finished, its span ended and its metrics recorded, and
    /// the host counts it.
    @inline(never)
    private func finish(_ req: Request, _ res: Response, timedOut: Bool = false) {
        res.sink.finish()
        res.handOver()
        let elapsed = sinceEpoch() - res.began
        if observes { observe(req, res, elapsed: elapsed, timedOut: timedOut) }
        guard let completed else { return }
        let (seconds, attoseconds) = elapsed.components
        completed(req, res, req.routeIndex, Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Ends the request's span and records its metrics, after the web server has its last byte.
    @inline(never)
    private func observe(_ req: Request, _ res: Response, elapsed: Duration, timedOut: Bool) {
        #if Tracing
        if let span = req.span {
            // Only the timeout's own finish, or a cancelled request task's, can end it otherwise.
            let outcome: RequestTracing.Outcome = timedOut ? .timedOut : Task.isCancelled ? .cancelled : .answered
            RequestTracing.end(span, req, res, outcome: outcome)
            req.span = nil
        }
        #endif
        if let metrics {
            let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
            metrics.finished(req, res, nanoseconds: nanoseconds)
        }
    }
}
