import Nozzle

/// `/api/post/abc` → `Post: abc`
enum PostByID: APIRoute {
    static func handler(_ req: Request, _ res: Response) {
        res.end("Post: \(req.query["pid"] ?? "")")
    }
}
