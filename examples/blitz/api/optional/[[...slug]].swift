import Nozzle

/// `/api/optional`, `/api/optional/a`, `/api/optional/a/b`: answers with the query object.
enum OptionalCatchAll: APIRoute {
    // GET (and HEAD) alone: any other method gets a 405 with `Allow`, and the OpenAPI document
    // lists GET alone.
    static let config = RouteConfig(methods: [.GET])

    static func handler(_ req: Request, _ res: Response) {
        res.json(req.query.json)
    }
}
