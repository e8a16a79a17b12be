import Nozzle

/// `/api/post/a/b/c` → `Post: a, b, c`
enum PostCatchAll: APIRoute {
    static func handler(_ req: Request, _ res: Response) {
        res.end("Post: \(req.query.all("slug").joined(separator: ", "))")
    }
}
