import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// `GET /api/limited`: at most 5 requests per client a minute. Every answer, a 429 too, names the
/// process that gave it in `X-Pid`, so a test can see that the count holds across worker processes.
enum Limited: APIRoute {
    static let config = RouteConfig(middleware: [
        MiddlewareFunction { _, res, next in
            res.setHeader("X-Pid", String(getpid()))
            try await next()
        },
        RateLimit(limit: 5, window: .seconds(60)),
    ])

    static func GET(_ req: Request, _ res: Response) {
        res.json(["pid": .int(Int(getpid()))])
    }
}
