import Nozzle

/// One request in flight on a connection, in one object: what it is made from (its params, body
/// channel, response sink and id), its task, and the executor that task runs on. Its jobs run on the
/// pool, labelled with the request, so the status page, the scoreboard and the watchdog can say which
/// request a thread is running. One object instead of three (the request, its task's start, its
/// executor) is two allocations fewer a request, and the task's closure keeps one reference.
///
/// - Important: `@unchecked Sendable` because its two `var`s, `task` and `loggedSlow`, are read and
///   written only under its connection's `state` lock; everything else is a `let` of a Sendable type.
final class RequestExecutor: TaskExecutor, @unchecked Sendable {
    let server: FastCGIServer
    let sink: FastCGIResponseSink
    let body: FastCGIBodyChannel
    /// Its params, id and arrival, also for the status page's `?full` and the slow-request log.
    let params: CGIEnvironment
    let id: String
    let arrived: Double
    let logWriter: FastCGILogWriter
    /// Its task, once started; under the connection's lock.
    var task: Task<Void, Never>?
    /// Whether the slow-request log has written it; under the connection's lock.
    var loggedSlow = false

    init(server: FastCGIServer, sink: FastCGIResponseSink, body: FastCGIBodyChannel, params: CGIEnvironment, id: String, arrived: Double) {
        self.server = server
        self.sink = sink
        self.body = body
        self.params = params
        self.id = id
        self.arrived = arrived
        logWriter = FastCGILogWriter(sink: server.options.logToFastCGIStderr ? sink : nil)
    }

    /// `GET /api/x`: made only when something asks, since most requests never need it.
    var label: String {
        let path = (params["SCRIPT_NAME"] ?? "") + (params["PATH_INFO"] ?? "")
        return (params["REQUEST_METHOD"] ?? "GET") + " " + (path.isEmpty ? params["REQUEST_URI"] ?? "/" : path)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // The first job of a request a worker is starting stays on that worker: no hand-over.
        if let thread = WorkerThread.current, thread.startingInline === self {
            thread.startingInline = nil
            thread.inlineJobs.append((job, self))
            return
        }
        server.pool.enqueue(job, for: self)
    }

    /// Answers the request through the app's pipeline, in two halves: what the request is made
    /// from is not kept in the task's frame while it waits.
    nonisolated(nonsending) func run() async {
        let pipeline = server.pipeline
        if let (req, res) = pipeline.begin(variables: params, body: body, sink: sink, id: id, logWriter: logWriter) {
            await pipeline.answer(req, res)
        }
        server.requestEnded()
    }
}
