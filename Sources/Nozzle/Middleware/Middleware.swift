/// Continues to the next middleware, or to the route handler after the last one.
public typealias Next = @Sendable () async throws -> Void

/// An error handler: it sees an error thrown by middleware or a handler, and may answer it.
public typealias ErrorHandler = @Sendable (any Error, Request, Response) async throws -> Void

/// A Connect-style middleware: it sees the request before the handler, may answer it itself, and
/// calls `next()` to go on.
///
/// ```swift
/// app.use { req, res, next in
///     res.setHeader("X-Powered-By", "Nozzle")
///     try await next()
/// }
/// ```
public protocol Middleware: Sendable {
    /// Handles the request, calling `next()` to pass it on.
    func handle(_ req: Request, _ res: Response, next: Next) async throws

    /// The statuses this middleware may answer by itself for `method`, before the handler, each
    /// with what it means: the OpenAPI document lists them on every operation the middleware runs
    /// for (`RateLimit` gives 429). None unless a middleware says so.
    ///
    /// ```swift
    /// func documentedAnswers(for method: HTTPMethod) -> [Int: String] {
    ///     methods.contains(method.rawValue) ? [401: "No bearer token, or not the right one"] : [:]
    /// }
    /// ```
    func documentedAnswers(for method: HTTPMethod) -> [Int: String]
}

extension Middleware {
    /// None: a middleware answers nothing by itself unless it says so.
    public func documentedAnswers(for method: HTTPMethod) -> [Int: String] { [:] }
}

/// A middleware from a closure.
public struct MiddlewareFunction: Middleware {
    let body: @Sendable (Request, Response, Next) async throws -> Void

    /// Wraps `body`.
    public init(_ body: @escaping @Sendable (Request, Response, Next) async throws -> Void) { self.body = body }

    public func handle(_ req: Request, _ res: Response, next: Next) async throws {
        try await body(req, res, next)
    }
}

/// Runs `middleware` in order, then `handler`.
func runChain(
    _ middleware: ArraySlice<any Middleware>,
    _ req: Request,
    _ res: Response,
    handler: @escaping @Sendable () async throws -> Void
) async throws {
    guard let first = middleware.first else {
        try await handler()
        return
    }
    let rest = middleware.dropFirst()
    try await first.handle(req, res) {
        // A middleware that already answered has ended the chain for everyone after it.
        guard !res.finished else { return }
        try await runChain(rest, req, res, handler: handler)
    }
}
