import Foundation
import Nozzle

/// `POST /api/after?gate=PATH&done=PATH[&fail=1]`: answers 202 at once, and hands over work with
/// `res.after` that waits until the file `gate` exists (up to 60 s), then writes `done`, or throws
/// with `fail=1`. The body names the request's id.
enum After: APIRoute {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "the email API said no" }
    }

    static func POST(_ req: Request, _ res: Response) {
        let gate = req.query["gate"] ?? "", done = req.query["done"] ?? "", fail = req.query["fail"] == "1"
        res.status(202).json(["accepted": true, "id": .string(req.id)])
        res.after {
            for _ in 0..<3_000 where !FileManager.default.fileExists(atPath: gate) {
                try await Task.sleep(for: .milliseconds(20))
            }
            if fail { throw Refused() }
            _ = FileManager.default.createFile(atPath: done, contents: Data("done".utf8))
        }
    }
}
