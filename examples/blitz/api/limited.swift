import Nozzle

/// `POST /api/limited`: bodies up to 500kb; anything larger gets 413 before this runs.
enum Limited: APIRoute {
    static let config = RouteConfig(bodyParser: .init(sizeLimit: "500kb"))

    static func POST(_ req: Request, _ res: Response) {
        res.json(["bytes": .int(req.rawBody.count)])
    }
}
