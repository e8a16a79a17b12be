import Nozzle

/// `POST /api/echo`: the parsed body as JSON, with the body parser's default limits.
enum Echo: APIRoute {
    static func POST(_ req: Request, _ res: Response) {
        res.json(["type": .string(req.body.kind), "body": req.body.jsonRepresentation])
    }
}
