import Nozzle

/// `POST /api/items`, with PUT as an alias of POST, and a 500kb body limit.
enum Items: APIRoute {
    static let config = RouteConfig(bodyParser: .init(sizeLimit: "500kb"))

    static func POST(_ req: Request, _ res: Response) {
        res.status(201).json(["method": .string(req.method), "bytes": .int(req.rawBody.count)])
    }

    static let PUT: Handler = POST
}
