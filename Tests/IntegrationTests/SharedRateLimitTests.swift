import Foundation
import Nozzle
import Testing

/// `RateLimit` under `--processes`: the worker processes count a client in one shared table.
@Suite(.serialized)
struct SharedRateLimitTests {
    /// Requests to `path`, up to 16 at once, each answer's status and `X-Pid`.
    func answers(_ stack: NginxFrontedApp, _ path: String, count: Int) throws -> [(status: Int, pid: String)] {
        let config = stack.directory.appending(path: "limited-\(UUID().uuidString.prefix(6))")
        try (0..<count).map { _ in "url = \"http://127.0.0.1:\(stack.port)\(path)\"\noutput = \"/dev/null\"\n" }.joined()
            .write(to: config, atomically: true, encoding: .utf8)
        let result = try RunningProcess.run("/usr/bin/curl", [
            "-s", "--http1.1", "-Z", "--parallel-immediate", "--parallel-max", "16", "--max-time", "20",
            "-w", "%{http_code} %header{x-pid}\\n", "--config", config.path,
        ], in: stack.directory, timeout: 60)
        return result.stdout.split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            return (Int(fields.first ?? "") ?? 0, fields.count > 1 ? String(fields[1]) : "")
        }
    }

    @Test func aClientGetsItsLimitOnceAcrossWorkerProcessesAndAcrossAReload() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--processes", "3", "--workers", "2"])
        let app = try #require(stack.app)
        #expect(eventually { app.stderr.components(separatedBy: "serving FastCGI").count - 1 == 3 })
        let first = try answers(stack, "/api/limited", count: 12)
        #expect(first.filter { $0.status == 200 }.count == 5, "\(first.map(\.status))")
        #expect(first.filter { $0.status == 429 }.count == 7)
        let pids = Set(first.map(\.pid))

        // Processes that never saw this client answer it: the workers a reload starts. With a count
        // per process, each would let it through 5 more times; they share the pool's table instead.
        app.signal(SIGHUP)
        #expect(eventually(timeout: 20) { app.stderr.contains("reload: new workers serving; old workers retiring") })
        let afterReload = try answers(stack, "/api/limited", count: 10)
        #expect(Set(afterReload.map(\.pid)).isDisjoint(with: pids), "the reload did not replace the workers")
        #expect(afterReload.allSatisfy { $0.status == 429 }, "\(afterReload.map(\.status))")
        let limited = try stack.get("/api/limited")
        #expect(limited.status == 429)
        #expect(limited.headers["RateLimit-Remaining"] == "0")
        #expect(limited.json?["error"] == "Too many requests")
    }

    @Test func oneProcessCountsInItsOwnMemory() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app")
        let statuses = try answers(stack, "/api/limited", count: 12).map(\.status)
        #expect(statuses.filter { $0 == 200 }.count == 5, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 7)
    }
}
