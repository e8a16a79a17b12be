import Nozzle

/// `/api/post/create`: a predefined route wins over `[pid]`.
enum CreatePost: APIRoute {
    static func handler(_ req: Request, _ res: Response) {
        res.end("create")
    }
}
