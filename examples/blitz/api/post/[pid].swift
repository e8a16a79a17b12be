import Nozzle

/// `/api/post/abc` → `Post: abc`
enum PostByID: APIRoute {
    static func handler(_ req: Request, _ res: Response) {
        // `params(req).pid` is generated from the file name: a String, never nil. (The seed's
        // `req.query.pid` works too: params are merged into the query, as Next.js does.)
        res.end("Post: \(params(req).pid)")
    }
}
