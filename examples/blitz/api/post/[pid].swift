import Nozzle

/// `/api/post/abc` → `Post: abc`
enum PostByID: APIRoute {
    // GET (and HEAD) alone: any other method gets a 405 with `Allow`, and the OpenAPI document
    // lists GET alone.
    static let config = RouteConfig(methods: [.GET])

    static func handler(_ req: Request, _ res: Response) {
        // `params(req).pid` is generated from the file name: a String, never nil. (The seed's
        // `req.query.pid` works too: params are merged into the query, as Next.js does.)
        res.end("Post: \(params(req).pid)")
    }
}
