import Nozzle

/// `POST /api/echo`: what the body parser made of the body.
enum Echo: APIRoute {
    static func POST(_ req: Request, _ res: Response) {
        let type = req.body.kind == "none" ? "bytes" : req.body.kind
        res.json(["type": .string(type), "body": req.body.jsonRepresentation])
    }
}
