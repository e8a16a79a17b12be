import Foundation

/// A wrk run against one URL, bounded in time, and what it counted.
struct Load {
    let process: RunningProcess

    struct Result {
        var requests: Int
        var failed: Int
        var output: String
    }

    /// Starts `connections` keep-alive connections hitting `url` for `seconds`, each request given
    /// `timeout` seconds; from `host` when given.
    init(url: String, connections: Int = 32, seconds: Int = 4, timeout: Int = 5, from host: NetworkNamespace? = nil, in directory: URL) throws {
        let arguments = ["-t1", "-c\(connections)", "-d\(seconds)s", "--timeout", "\(timeout)s", url]
        if let host {
            process = try RunningProcess("/usr/bin/env", host.prefix + ["wrk"] + arguments, in: directory)
        } else {
            process = try RunningProcess("/usr/bin/wrk", arguments, in: directory)
        }
    }

    /// Waits for the run to end and reads its counts: failed is non-2xx/3xx answers plus socket errors.
    func finish() -> Result {
        _ = process.waitForExit(timeout: 60)
        let output = process.stdout
        func number(after label: String) -> Int {
            guard let range = output.range(of: label) else { return 0 }
            return Int(output[range.upperBound...].prefix { $0.isNumber }) ?? 0
        }
        let requests = Int(output.components(separatedBy: " requests in").first?.split(separator: " ").last ?? "") ?? 0
        let socketErrors = ["connect ", "read ", "write ", "timeout "].reduce(0) { total, kind in
            guard let line = output.split(separator: "\n").first(where: { $0.contains("Socket errors") }),
                let range = line.range(of: kind)
            else { return total }
            return total + (Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0)
        }
        return Result(requests: requests, failed: number(after: "Non-2xx or 3xx responses: ") + socketErrors, output: output)
    }
}
