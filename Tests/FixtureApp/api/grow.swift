import Nozzle
import Synchronization

/// `POST /api/grow?mb=N`: keeps N MiB more for the life of the process (touched, so it is resident),
/// and answers the total kept: a worker whose memory grows, for `--max-memory`.
enum Grow: APIRoute {
    static let kept = Mutex<[[UInt8]]>([])

    static func POST(_ req: Request, _ res: Response) {
        let megabytes = min(Int(req.query["mb"] ?? "") ?? 1, 256)
        let total = kept.withLock { kept in
            kept.append([UInt8](repeating: 1, count: megabytes << 20))
            return kept.count
        }
        res.json(["keptChunks": .int(total)])
    }
}
