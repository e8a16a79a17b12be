import Nozzle

/// `GET /api/crash`: traps, as a force-unwrap of nil or an index out of range would.
enum Crash: APIRoute {
    static func GET(_ req: Request, _ res: Response) {
        let empty: [Int] = []
        res.send("unreachable \(empty[Int(req.query["index"] ?? "0") ?? 0])")
    }
}
