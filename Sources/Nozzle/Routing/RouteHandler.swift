/// One handler of a route and the method it answers (`*` for every method), as the route plugin
/// writes them: `RouteHandler("GET", UserByID.GET)`.
///
/// A route keeps its handlers in these rather than in a `[String: Handler]`: a dictionary keeps
/// a closure in the shape generic code sees, so each request would go through two conversion
/// closures (one of them allocated) before reaching the handler; a struct's field keeps it as it is.
public struct RouteHandler: Sendable {
    /// The method: `GET`, `POST`, …, or `*` for a route's `handler`.
    public let method: String
    /// The handler.
    public let handler: Handler

    /// The handler of `method`.
    public init(_ method: String, _ handler: @escaping Handler) {
        self.method = method
        self.handler = handler
    }
}
