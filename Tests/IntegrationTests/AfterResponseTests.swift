import Foundation
import Nozzle
import Testing

/// `res.after` through nginx: the work runs once the client has its answer, is counted on the
/// status page, waits for a slot past `--max-after-response`, is awaited by a graceful stop and
/// cancelled past `--shutdown-timeout`, and its errors are logged with the request's id.
@Suite(.serialized)
struct AfterResponseTests {
    /// A POST whose work waits for `gate` and then writes `done`.
    func post(_ stack: NginxFrontedApp, gate: URL, done: URL, fail: Bool = false) throws -> (status: Int, id: String?, seconds: Double) {
        let answer = try stack.request("POST", "/api/after?gate=\(gate.path)&done=\(done.path)\(fail ? "&fail=1" : "")")
        return (answer.status, answer.json?["id"]?.stringValue, answer.totalTime)
    }

    func afterResponse(_ stack: NginxFrontedApp) throws -> JSON? {
        try stack.get("/api/_status").json?["after_response"]
    }

    @Test func theClientHasItsAnswerWhileTheWorkWaits() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--status-path", "/api/_status"])
        let gate = stack.directory.appending(path: "gate"), done = stack.directory.appending(path: "done")
        let answer = try post(stack, gate: gate, done: done)
        // The answer came while the work was still waiting for the gate: the client did not wait.
        #expect(answer.status == 202)
        #expect(!FileManager.default.fileExists(atPath: done.path))
        #expect(eventually { (try? afterResponse(stack))??["running"] == 1 })
        #expect(FileManager.default.createFile(atPath: gate.path, contents: nil))
        #expect(eventually { FileManager.default.fileExists(atPath: done.path) })
        #expect(eventually { (try? afterResponse(stack))??["completed"] == 1 })
        #expect(try afterResponse(stack)?["running"] == 0)
        #expect(try afterResponse(stack)?["limit"] == 100)
        let prometheus = try stack.get("/api/_status?format=prometheus").body
        #expect(prometheus.contains("nozzle_after_response_completed_total{pool=\"fixture-app\"} 1"), "\(prometheus)")
    }

    @Test func pastItsLimitWorkWaitsForASlotAndNoneIsDropped() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--status-path", "/api/_status", "--max-after-response", "1"])
        let gate = stack.directory.appending(path: "gate")
        let done = (0..<3).map { stack.directory.appending(path: "done\($0)") }
        for file in done { #expect(try post(stack, gate: gate, done: file).status == 202) }
        #expect(eventually { (try? afterResponse(stack))??["running"] == 1 && (try? afterResponse(stack))??["waiting"] == 2 })
        #expect(FileManager.default.createFile(atPath: gate.path, contents: nil))
        #expect(eventually { done.allSatisfy { FileManager.default.fileExists(atPath: $0.path) } })
        #expect(eventually { (try? afterResponse(stack))??["completed"] == 3 })
    }

    @Test func aGracefulStopWaitsForTheWork() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app")
        let app = try #require(stack.app)
        let gate = stack.directory.appending(path: "gate"), done = stack.directory.appending(path: "done")
        #expect(try post(stack, gate: gate, done: done).status == 202)
        app.signal(SIGTERM)
        #expect(eventually { app.stderr.contains("SIGTERM: stopping; finishing requests in flight and 1 after-response tasks") }, "\(app.stderr)")
        // It does not exit while the work waits…
        #expect(app.waitForExit(timeout: 1) == nil)
        // …and exits once the work is done, the work having run to its end.
        #expect(FileManager.default.createFile(atPath: gate.path, contents: nil))
        #expect(app.waitForExit(timeout: 10) == 0)
        #expect(FileManager.default.fileExists(atPath: done.path))
        #expect(!app.stderr.contains("unfinished"))
    }

    @Test func pastTheShutdownTimeoutTheWorkIsCancelled() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--shutdown-timeout", "1"])
        let app = try #require(stack.app)
        let gate = stack.directory.appending(path: "gate"), done = stack.directory.appending(path: "done")
        #expect(try post(stack, gate: gate, done: done).status == 202)
        app.signal(SIGTERM)
        #expect(app.waitForExit(timeout: 10) == 0)
        #expect(app.stderr.contains("shutdown timeout of 1.0s passed with 1 after-response tasks unfinished; cancelled them"), "\(app.stderr)")
        #expect(FileManager.default.createFile(atPath: gate.path, contents: nil))
        #expect(!FileManager.default.fileExists(atPath: done.path))
    }

    @Test func anErrorIsLoggedWithTheRequestsID() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--status-path", "/api/_status"])
        let app = try #require(stack.app)
        let gate = stack.directory.appending(path: "gate"), done = stack.directory.appending(path: "done")
        #expect(FileManager.default.createFile(atPath: gate.path, contents: nil))
        let answer = try post(stack, gate: gate, done: done, fail: true)
        #expect(answer.status == 202)
        let id = try #require(answer.id)
        #expect(eventually { app.stderr.split(separator: "\n").contains { $0.contains("id=\(id) ") && $0.contains("after-response work failed: the email API said no") } }, "\(app.stderr)")
        #expect(eventually { (try? afterResponse(stack))??["failed"] == 1 })
    }
}
