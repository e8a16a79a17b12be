import Nozzle

/// `GET /api/health`: a route file, beside the operations generated from `openapi.yaml`.
enum Health: APIRoute {
    static func GET(_ req: Request, _ res: Response) {
        res.json(["ok": true])
    }
}
