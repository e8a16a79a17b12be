import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// `GET /api/spin?ms=N`: keeps its worker thread busy computing for N milliseconds, never
/// yielding: a CPU-bound handler.
enum Spin: APIRoute {
    static func GET(_ req: Request, _ res: Response) {
        let milliseconds = Double(Int(req.query["ms"] ?? "") ?? 1000)
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var rounds = 0
        while true {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let elapsed = Double(now.tv_sec - start.tv_sec) * 1000 + Double(now.tv_nsec - start.tv_nsec) / 1e6
            if elapsed >= milliseconds { break }
            rounds += 1
        }
        res.json(["spun": .int(Int(milliseconds)), "rounds": .int(rounds)])
    }
}
