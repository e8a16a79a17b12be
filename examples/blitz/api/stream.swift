import Nozzle

/// `POST /api/stream`: the body parser is off, so the body streams through in chunks, any size.
enum StreamUpload: APIRoute {
    static let config = RouteConfig(bodyParser: false)

    static func POST(_ req: Request, _ res: Response) async throws {
        var bytes = 0
        for try await chunk in req.bodyStream() { bytes += chunk.count }
        res.json(["bytes": .int(bytes)])
    }
}
