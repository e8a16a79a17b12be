import Nozzle

/// `GET /api/cors`: CORS for GET and HEAD, as the seed's `cors` middleware example.
enum CORSExample: APIRoute {
    static let config = RouteConfig(middleware: [CORS(methods: ["GET", "HEAD"])])

    static func GET(_ req: Request, _ res: Response) {
        res.json(["message": "Hello Everyone!"])
    }
}
