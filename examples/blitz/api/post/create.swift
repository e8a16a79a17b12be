import Nozzle

/// `/api/post/create`: a predefined route wins over `[pid]`.
enum CreatePost: APIRoute {
    // GET (and HEAD) alone: any other method gets a 405 with `Allow`, and the OpenAPI document
    // lists GET alone.
    static let config = RouteConfig(methods: [.GET])

    static func handler(_ req: Request, _ res: Response) {
        res.end("create")
    }
}
