import Nozzle

/// `GET /api/status?code=N`: answers with status N and a short body, whatever N is.
enum StatusCode: APIRoute {
    static func GET(_ req: Request, _ res: Response) {
        res.status(Int(req.query["code"] ?? "") ?? 200).send("body")
    }
}
