import Nozzle

/// `GET /api/slow?ms=N`: answers after N milliseconds.
enum Slow: APIRoute {
    static func GET(_ req: Request, _ res: Response) async throws {
        let milliseconds = Int(req.query["ms"] ?? "") ?? 500
        req.log.info("slow request started")
        try await Task.sleep(for: .milliseconds(milliseconds))
        res.json(["slept": .int(milliseconds)])
    }
}
