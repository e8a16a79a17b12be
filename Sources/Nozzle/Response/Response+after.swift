#if Tracing
import Tracing
#endif

extension Response {
    /// Runs `work` once the response has been handed to the web server, as Next.js's `after()`
    /// and PHP-FPM's `fastcgi_finish_request()` do: the client has its answer and does not wait.
    ///
    /// ```swift
    /// static func POST(_ req: Request, _ res: Response) async throws {
    ///     let user = try await Database.users.create(try req.body.decode(NewUser.self))
    ///     res.status(201).json(user)
    ///     res.after { try await Mailer.sendWelcome(to: user.email) }
    /// }
    /// ```
    ///
    /// Called before the response ends, the work waits for it; called after, it starts at once.
    /// At most ``App/maxAfterResponse`` run at once in a process, the rest waiting in order for a
    /// slot (never dropped); the status page counts them. A graceful stop waits for them within
    /// `--shutdown-timeout` and cancels what is left past it. An error thrown is logged with the
    /// request's id; with tracing on, the work's spans belong to the request's trace.
    public func after(_ work: @escaping @Sendable () async throws -> Void) {
        #if Tracing
        let item = AfterResponseWork.Item(body: work, context: ServiceContext.current)
        #else
        let item = AfterResponseWork.Item(body: work)
        #endif
        let now = state.withLock { state -> Bool in
            guard !state.handedOver else { return true }
            state.afterWork.append(item)
            return false
        }
        if now { (afterResponse ?? Self.detachedWork).start([item], log: log) }
    }

    /// The web server has the response: the work given so far starts.
    package func handOver() {
        let items = state.withLock { state -> [AfterResponseWork.Item] in
            state.handedOver = true
            defer { state.afterWork = [] }
            return state.afterWork
        }
        if !items.isEmpty { (afterResponse ?? Self.detachedWork).start(items, log: log) }
    }

    /// Where the work of a response made without an app runs.
    static let detachedWork = AfterResponseWork(limit: 100)
}
