import Nozzle

/// `GET /api/stream?n=N&ms=M`: N chunks, M milliseconds apart, as server-sent events.
enum Stream: APIRoute {
    static func GET(_ req: Request, _ res: Response) async throws {
        let count = Int(req.query["n"] ?? "") ?? 3
        let pause = Int(req.query["ms"] ?? "") ?? 200
        res.type("text/event-stream")
        for index in 0..<count {
            res.write("data: \(index)\n\n")
            try await Task.sleep(for: .milliseconds(pause))
        }
        res.end()
    }
}
