/// A route handler: it reads the request and answers through the response.
public typealias Handler = @Sendable (Request, Response) async throws -> Void

/// The type a route file declares. The file's path is the URL; its static methods are the handlers.
///
/// `api/users/[id].swift`:
/// ```swift
/// import Nozzle
///
/// enum UserByID: APIRoute {
///     static func GET(_ req: Request, _ res: Response) async throws {
///         res.json(["id": .string(params(req).id)])   // params(req): generated from the file name
///     }
///
///     static func DELETE(_ req: Request, _ res: Response) async throws {
///         res.status(204).end()
///     }
///
///     // Method aliasing: PUT does what POST does.
///     static let PUT: Handler = POST
///     static func POST(_ req: Request, _ res: Response) async throws { … }
/// }
/// ```
///
/// Handlers are named after methods: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `OPTIONS`. A route may
/// instead declare one `handler` that switches on `req.method`, as a Blitz.js default export does.
/// The route plugin finds them at build time, so the `Allow` header always lists exactly these.
public protocol APIRoute {
    /// Body parser settings and middleware for this route.
    static var config: RouteConfig { get }
}

extension APIRoute {
    /// The defaults: a body parser with a 1mb limit, and no route middleware.
    public static var config: RouteConfig { RouteConfig() }
}
