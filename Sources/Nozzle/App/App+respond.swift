extension App {
    /// Answers one request: matches the route, runs the body parser, the middleware and the handler,
    /// and turns errors into JSON responses. The response is always finished when this returns,
    /// unless the route uses `externalResolver`. ``App/requestTimeout`` is kept by the host's
    /// request pipeline around this.
    public func respond(to req: Request, _ res: Response) async {
        let match = req.routingPath.flatMap { routes.match($0, strictTrailingSlash: strictTrailingSlash) }
            ?? routes.match(req.path, strictTrailingSlash: strictTrailingSlash, percentEncoded: false)
        guard let match else {
            render(HTTPError(404, "Not found"), req, res)
            return
        }
        let route = match.route
        req.routePattern = route.pattern
        req.params = match.params
        req.trustedProxies = trustedProxies
        let parameterLimit = (route.config.bodyParser ?? BodyParserConfig()).parameterLimit
        do {
            try req.parseQuery(parameterLimit: parameterLimit)
        } catch {
            render(HTTPError.limitExceeded("Too many query parameters", option: "parameterLimit", max: parameterLimit), req, res)
            return
        }
        if case .extended(let depth, let arrayLimit) = queryParser {
            req.query.nesting = NestedForm.Options(depth: depth, arrayLimit: arrayLimit, strictDepth: false)
        }
        for (name, value) in match.params { req.query.set(name, value) }

        var handler = route.handler(for: req.method)
        if handler == nil {
            let allow = route.allowedMethods.joined(separator: ", ")
            guard req.method == "OPTIONS" else {
                render(HTTPError(405, "Method not allowed", headers: Headers([("Allow", allow)])), req, res)
                return
            }
            handler = { _, res in
                res.status(204).setHeader("Allow", allow).end()
            }
        }
        do {
            // The body parser runs first, then the app's middleware, the route's, and the handler.
            if let config = route.config.bodyParser {
                let parser = BodyParser(config: config)
                if !parser.parseWithoutWaiting(req) { try await parser.parse(req) }
            }
            if middleware.isEmpty && route.config.middleware.isEmpty {
                try await handler!(req, res)
            } else {
                try await runChain((middleware + route.config.middleware)[...], req, res) { [handler] in try await handler!(req, res) }
            }
        } catch {
            await handle(error, req, res)
        }
        if !res.finished && route.config.externalResolver {
            await waitForExternalResolver(req, res)
        }
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
            for (name, value) in error.headers { res.setHeader(name, value) }
            res.json(error.body)
            return
        }
        if error is CancellationError {
            // The web server gave up on it (its client left), or it timed out: not the app's fault.
            req.log.info("request cancelled")
        } else {
            req.log.error("handler threw: \(String(reflecting: error))")
        }
        var body: JSONObject = ["error": "Internal server error"]
        if development { body["detail"] = .string(String(reflecting: error)) }
        res.status(500).json(.object(body))
    }
}
