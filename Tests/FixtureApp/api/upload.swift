import Nozzle

/// `POST /api/upload`: the body as it arrives, counted, with the body parser off.
enum Upload: APIRoute {
    static let config = RouteConfig(bodyParser: false)

    static func POST(_ req: Request, _ res: Response) async throws {
        var total = 0
        for try await chunk in req.bodyStream(limit: "10mb") { total += chunk.count }
        res.json(["bytes": .int(total)])
    }
}
