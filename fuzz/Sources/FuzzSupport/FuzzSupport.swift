import Dispatch
import Nozzle
import Synchronization

/// Runs async work to completion on this thread, from libFuzzer's synchronous callback.
///
/// Every job of the task runs here, so the task is gone when this returns: libFuzzer then sees as
/// many frees as mallocs for each input, and checks for leaks only when one really happened.
public func runBlocking(_ work: @escaping @Sendable () async -> Void) {
    let executor = InlineExecutor()
    Task(executorPreference: executor) {
        await work()
        executor.finish()
    }
    executor.runUntilFinished()
}

final class InlineExecutor: TaskExecutor {
    private let state = Mutex((jobs: [UnownedJob](), finished: false))
    private let wakeUp = DispatchSemaphore(value: 0)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        state.withLock { $0.jobs.append(job) }
        wakeUp.signal()
    }

    func finish() {
        state.withLock { $0.finished = true }
        wakeUp.signal()
    }

    func runUntilFinished() {
        while true {
            wakeUp.wait()
            let (batch, done) = state.withLock { state in
                defer { state.jobs = [] }
                return (state.jobs, state.finished)
            }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            if done && state.withLock({ $0.jobs.isEmpty }) { return }
        }
    }
}

/// Log lines go nowhere: the fuzzer looks for crashes, leaks and timeouts, not messages.
public struct DiscardingLogWriter: LogWriter {
    public init() {}
    public func write(_ line: String) {}
}

/// A request built straight from CGI variables, with no body.
public func request(_ variables: [String: String], body: [UInt8] = []) -> Request {
    Request(environment: variables, body: BufferedBodySource(body), id: "fuzz", logWriter: DiscardingLogWriter())
}

/// Splits the input at its first zero byte: two independent strings from one input.
public func split(_ bytes: UnsafeBufferPointer<UInt8>) -> (String, [UInt8]) {
    guard let zero = bytes.firstIndex(of: 0) else { return (String(decoding: bytes, as: UTF8.self), []) }
    return (String(decoding: bytes[..<zero], as: UTF8.self), Array(bytes[(zero + 1)...]))
}

/// The routes the whole-request target calls: every kind of segment, the body parser on with small
/// limits, off, and a route that decodes.
public let fuzzApp: App = {
    let echo: Handler = { req, res in
        res.json(["body": req.body.jsonRepresentation, "query": req.query.json, "cookies": .int(req.cookies.count), "ip": req.ip.map(JSON.string) ?? .null])
    }
    let small = RouteConfig(bodyParser: BodyParserConfig(sizeLimit: "64kb", parameterLimit: 50, jsonDepthLimit: 20, jsonMemberLimit: 50, partLimit: 20, partHeaderSizeLimit: "1kb"))
    var app = App(routes: RouteTable([
        Route("/api/echo", handlers: ["*": echo]),
        Route("/api/small", config: small, handlers: ["*": echo]),
        Route("/api/post/[pid]", handlers: ["GET": { req, res in res.send("Post: \(req.params["pid"] ?? "")") }]),
        Route("/api/post/create", handlers: ["POST": echo]),
        Route("/api/post/[...slug]", handlers: ["GET": { req, res in res.json(["slug": .array(req.params.all("slug").map(JSON.string))]) }]),
        Route("/api/optional/[[...slug]]", handlers: ["GET": echo]),
        Route("/api/stream", config: RouteConfig(bodyParser: false), handlers: ["POST": { req, res in
            var total = 0
            for try await chunk in req.bodyStream(limit: "64kb") { total += chunk.count }
            res.json(["bytes": .int(total)])
        }]),
        Route("/api/decode", handlers: ["POST": { req, res in
            struct Shape: Decodable { var name: String; var tags: [String]?; var nested: [String: Int]? }
            res.json(["name": .string(try req.body.decode(Shape.self).name)])
        }]),
    ]))
    app.trustedProxies = TrustedProxies(["127.0.0.0/8", "::1", "10.0.0.0/8"])
    return app
}()
