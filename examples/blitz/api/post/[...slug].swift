import Nozzle

/// `/api/post/a/b/c` → `Post: a, b, c`
enum PostCatchAll: APIRoute {
    // GET (and HEAD) alone: any other method gets a 405 with `Allow`, and the OpenAPI document
    // lists GET alone.
    static let config = RouteConfig(methods: [.GET])

    static func handler(_ req: Request, _ res: Response) {
        // A catch-all's params are a [String]: `/api/post/a/b/c` gives ["a", "b", "c"].
        res.end("Post: \(params(req).slug.joined(separator: ", "))")
    }
}
