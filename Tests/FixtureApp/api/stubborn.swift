import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// `GET /api/stubborn?ms=N`: holds its worker thread for N milliseconds without ever yielding, as
/// a handler stuck in a blocking call that cannot be interrupted would.
enum Stubborn: APIRoute {
    static func GET(_ req: Request, _ res: Response) {
        let milliseconds = Int(req.query["ms"] ?? "") ?? 5000
        usleep(UInt32(milliseconds * 1000))
        res.send("finished anyway")
    }
}
