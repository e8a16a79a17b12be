extension App {
    /// Answers one request: matches the route, runs the body parser, the middleware and the handler,
    /// and turns errors into JSON responses. The response is always finished when this returns,
    /// unless the route uses `externalResolver`. ``App/requestTimeout`` is kept by the host's
    /// request pipeline around this.
    public nonisolated(nonsending) func respond(to req: Request, _ res: Response) async {
        // What needs no waiting happens in plain functions: their work stays on the thread's stack,
        // and the frame this task keeps while a handler waits stays small.
        guard let (route, handler) = routeBeforeHandler(req, res) else { return }
        do {
            // The body parser runs first, then the app's middleware, the route's, and the handler.
            if Self.needsBodyParsing(route, req) { try await Self.parseBody(route, req) }
            if let chain = middlewareChain(for: route) {
                try await Self.run(chain, req, res, handler)
            } else {
                try await handler(req, res)
            }
        } catch {
            await handle(error, req, res)
        }
        if !res.finished && route.config.externalResolver {
            await waitForExternalResolver(req, res)
        }
        Self.afterHandler(route, req, res)
    }

    /// Whether the route's body parser has to wait for the body; parses it at once when it need not.
    @inline(never)
    private static func needsBodyParsing(_ route: Route, _ req: Request) -> Bool {
        guard let config = route.config.bodyParser else { return false }
        return !BodyParser(config: config).parseWithoutWaiting(req)
    }

    /// Parses the body as the route's body parser says, waiting for it to arrive.
    private nonisolated(nonsending) static func parseBody(_ route: Route, _ req: Request) async throws {
        guard let config = route.config.bodyParser else { return }
        do {
            try await BodyParser(config: config).parse(req)
        } catch let error as HTTPError {
            throw error.withMessageAsReason()
        }
    }

    /// Runs the middleware, then the handler. A function of its own, so that routes without
    /// middleware keep a smaller frame while their handler waits.
    @inline(never)
    private static func run(_ chain: [any Middleware], _ req: Request, _ res: Response, _ handler: @escaping Handler) async throws {
        try await runChain(chain[...], req, res) { try await handler(req, res) }
    }

    /// The app's middleware and then the route's, or nil when there is none.
    @inline(never)
    private func middlewareChain(for route: Route) -> [any Middleware]? {
        let routeMiddleware = route.config.middleware
        if middleware.isEmpty && routeMiddleware.isEmpty { return nil }
        return middleware + routeMiddleware
    }

    /// Matches the route and prepares the request for its handler: params, the query, the handler
    /// for the method. Nil when the request is already answered (404, 405, too many parameters).
    @inline(never)
    private func routeBeforeHandler(_ req: Request, _ res: Response) -> (Route, Handler)? {
        let match = req.routingPath.flatMap { routes.match($0, strictTrailingSlash: strictTrailingSlash) }
            ?? routes.match(req.path, strictTrailingSlash: strictTrailingSlash, percentEncoded: false)
        guard let match else {
            render(HTTPError(404, "Not found"), req, res)
            return nil
        }
        let route = match.route
        req.routeIndex = match.index
        req.routeTemplate = route.template
        req.params = match.params
        req.trustedProxies = trustedProxies
        // Read without a copy of the route's whole body-parser settings.
        let parameterLimit = route.config.bodyParser?.parameterLimit ?? BodyParserConfig.defaultParameterLimit
        do {
            try req.parseQuery(parameterLimit: parameterLimit)
        } catch {
            render(HTTPError.limitExceeded("Too many query parameters", option: "parameterLimit", max: parameterLimit), req, res)
            return nil
        }
        if case .extended(let depth, let arrayLimit) = queryParser {
            req.query.nesting = NestedForm.Options(depth: depth, arrayLimit: arrayLimit, strictDepth: false)
        }
        for (name, value) in match.params { req.query.set(name, value) }

        if let handler = route.handler(for: req.method) {
            if route.checksParameters, let refusal = Self.checkParameters(route, req) {
                render(refusal, req, res)
                return nil
            }
            return (route, handler)
        }
        let allow = route.allowedMethods.joined(separator: ", ")
        guard req.method == "OPTIONS" else {
            render(HTTPError(405, "Method not allowed", headers: Headers([("Allow", allow)])), req, res)
            return nil
        }
        return (route, { _, res in res.status(204).setHeader("Allow", allow).end() })
    }

    /// The 400 for path or query parameters that break the types and rules the route declares; nil
    /// when they follow them, or none are declared.
    @inline(never)
    private static func checkParameters(_ route: Route, _ req: Request) -> HTTPError? {
        if let params = route.config.params {
            let values = JSONObject(req.params.entries.map { ($0.name, $0.value.json) })
            if let refusal = params.check(.object(values), what: "Invalid path parameter") { return refusal }
        }
        let method = HTTPMethod(rawValue: req.method)
        let declared = method.flatMap { route.config.schemas[$0] } ?? (method == .HEAD ? route.config.schemas[.GET] : nil)
        if let query = declared?.queryParameters { return query.check(req.query.json, what: "Invalid query") }
        return nil
    }

    /// After the handler: a response it never sent is ended, and one past `responseLimit` is logged.
    @inline(never)
    private static func afterHandler(_ route: Route, _ req: Request, _ res: Response) {
        if !res.finished {
            req.log.warning("API resolved without sending a response for \(req.path)")
            res.end()
        }
        if let limit = route.config.responseLimit, let bytes = limit.bytes, res.bytesSent >= bytes {
            let name = route.file.isEmpty ? route.pattern : route.file
            req.log.warning("API response for \(req.url) exceeds \(limit.text): API routes are meant to respond quickly; \(name) can raise its responseLimit, or set it to nil")
        }
    }

    /// Runs the error handlers in order, then renders whatever is left unanswered.
    func handle(_ error: any Error, _ req: Request, _ res: Response) async {
        var current = error
        for handler in errorHandlers where !res.finished {
            do {
                try await handler(current, req, res)
            } catch {
                current = error
            }
        }
        if !res.finished { render(current, req, res) }
    }

    /// Waits until something else ends the response, up to ``externalResolverTimeout``.
    func waitForExternalResolver(_ req: Request, _ res: Response) async {
        let timeout = externalResolverTimeout
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in res.onFinish { continuation.resume() } }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let ended = await group.next() ?? false
            if !ended && !res.finished {
                // Ending it here also lets the waiting task above finish.
                req.log.error("externalResolver: no response sent within \(timeout) for \(req.path)")
                render(HTTPError(504, "Response not sent in time"), req, res)
            }
            group.cancelAll()
        }
    }

    /// Sends an error as JSON; an unexpected error is logged and answered with a 500.
    func render(_ error: any Error, _ req: Request, _ res: Response) {
        if res.headersSent {
            req.log.error("error after the response had started: \(error)")
            res.end()
            return
        }
        if let error = error as? HTTPError {
            res.status(error.status)
            if let reason = error.statusMessage { res.statusMessage = reason }
            for (name, value) in error.headers { res.setHeader(name, value) }
            res.json(error.body)
            return
        }
        if error is CancellationError {
            // The web server gave up on it (its client left), or it timed out: not the app's fault.
            req.log.info("request cancelled")
        } else {
            req.log.error("handler threw: \(String(reflecting: error))")
            #if Tracing
            req.span?.recordError(error)
            #endif
        }
        var body: JSONObject = ["error": "Internal server error"]
        if development { body["detail"] = .string(String(reflecting: error)) }
        res.status(500).json(.object(body))
    }
}
