import Foundation
import Nozzle

/// One of the Python tools of `Tests/Tools` (an OTLP receiver, a fake email API), running on a
/// loopback port it chooses and writes to a file; stopped when released.
final class LoopbackTool {
    let process: RunningProcess
    let port: Int

    /// Starts `Tests/Tools/<script>` with the port file first and then `arguments`, and waits for its port.
    init(_ script: String, in directory: URL, arguments: [String]) throws {
        let portFile = directory.appending(path: "\(script).port")
        process = try RunningProcess(
            // The python3 that scripts/install-deps.sh installed the tools' packages for.
            "/usr/bin/env", ["python3", Paths.root.appending(path: "Tests/Tools/\(script)").path, portFile.path] + arguments, in: directory)
        guard eventually({ FileManager.default.fileExists(atPath: portFile.path) }),
            let port = Int((try? String(contentsOf: portFile, encoding: .utf8)) ?? "")
        else { throw SetupError(what: "\(script) did not start: \(process.stderr)") }
        self.port = port
    }

    deinit {
        process.signal(SIGTERM)
        _ = process.waitForExit(timeout: 5)
    }

    /// The JSON lines the tool has written to `file` so far.
    static func records(_ file: URL) -> [JSON] {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { try? JSON(parsing: Array($0.utf8)) }
    }
}
