import Nozzle

/// `/api/post/a/b/c` → `Post: a, b, c`
enum PostCatchAll: APIRoute {
    static func handler(_ req: Request, _ res: Response) {
        // A catch-all's params are a [String]: `/api/post/a/b/c` gives ["a", "b", "c"].
        res.end("Post: \(params(req).slug.joined(separator: ", "))")
    }
}
