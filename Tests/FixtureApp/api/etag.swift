import Nozzle

/// `GET /api/etag`: `hey`, tagged as Express tags it, for conditional requests through nginx.
enum ETagged: APIRoute {
    static func GET(_ req: Request, _ res: Response) {
        res.send("hey")
    }
}
