import Dispatch
import Nozzle

/// `GET /api/deaf?ms=N`: waits N milliseconds for something that ignores cancellation (a reply that
/// comes when it comes), holding no thread, then answers whether or not anyone still listens.
enum Deaf: APIRoute {
    static func GET(_ req: Request, _ res: Response) async {
        let milliseconds = Int(req.query["ms"] ?? "") ?? 3000
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { continuation.resume() }
        }
        req.log.info("deaf request finished waiting")
        res.send("late")
    }
}
