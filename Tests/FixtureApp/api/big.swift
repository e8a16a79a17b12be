import Nozzle

/// `GET /api/big?kb=N`: N KiB of a repeating pattern, for large responses.
enum Big: APIRoute {
    static func GET(_ req: Request, _ res: Response) {
        let size = (Int(req.query["kb"] ?? "") ?? 1024) * 1024
        let pattern = Array("0123456789abcdef".utf8)
        res.type("application/octet-stream").send((0..<size).map { pattern[$0 % pattern.count] })
    }
}
