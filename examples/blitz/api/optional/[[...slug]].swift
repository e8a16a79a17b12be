import Nozzle

/// `/api/optional`, `/api/optional/a`, `/api/optional/a/b`: answers with the query object.
enum OptionalCatchAll: APIRoute {
    static func handler(_ req: Request, _ res: Response) {
        res.json(req.query.json)
    }
}
