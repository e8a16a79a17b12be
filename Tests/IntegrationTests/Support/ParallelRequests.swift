import Foundation

/// Many requests at once, through one curl process in parallel mode: what many clients waiting
/// together look like to nginx.
struct ParallelRequests {
    let process: RunningProcess

    /// One transfer's outcome.
    struct Outcome {
        var status: Int
        var seconds: Double
    }

    /// Starts `urls` all at once (up to `parallel` at a time), each given `maxTime` seconds.
    init(_ urls: [String], parallel: Int? = nil, maxTime: Int = 30, in directory: URL) throws {
        let config = directory.appending(path: "urls-\(UUID().uuidString.prefix(6))")
        try urls.map { "url = \"\($0)\"\noutput = \"/dev/null\"\n" }.joined().write(to: config, atomically: true, encoding: .utf8)
        process = try RunningProcess("/usr/bin/curl", [
            "-s", "--http1.1", "-Z", "--parallel-immediate", "--parallel-max", String(parallel ?? urls.count),
            "--max-time", String(maxTime), "-w", "%{http_code} %{time_total}\\n", "--config", config.path,
        ], in: directory)
    }

    /// Waits for every transfer and returns their outcomes (in completion order).
    func finish(timeout: Double = 60) -> [Outcome] {
        _ = process.waitForExit(timeout: timeout)
        return process.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 2, let status = Int(fields[0]), let seconds = Double(fields[1]) else { return nil }
            return Outcome(status: status, seconds: seconds)
        }
    }
}
