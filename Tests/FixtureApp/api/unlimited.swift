import Nozzle

/// `POST /api/unlimited`: the parsed body as JSON, with every count limit lifted, so that the
/// worst-case tests see each parser take a whole 1 MB body.
enum Unlimited: APIRoute {
    static let config = RouteConfig(bodyParser: .init(parameterLimit: .max, jsonMemberLimit: .max, partLimit: .max))

    static func POST(_ req: Request, _ res: Response) {
        res.json(["type": .string(req.body.kind), "body": req.body.jsonRepresentation])
    }
}
