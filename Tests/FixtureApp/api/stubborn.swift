import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// `GET /api/stubborn?ms=N`: waits N milliseconds and ignores cancellation, as a handler stuck in
/// a call that cannot be interrupted would.
enum Stubborn: APIRoute {
    static func GET(_ req: Request, _ res: Response) async {
        let milliseconds = Int(req.query["ms"] ?? "") ?? 5000
        // A detached task is not cancelled with the request.
        await Task.detached { _ = usleep(UInt32(milliseconds * 1000)) }.value
        res.send("finished anyway")
    }
}
