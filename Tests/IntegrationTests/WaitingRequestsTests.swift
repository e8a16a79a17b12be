import Foundation
import Nozzle
import NozzleTesting
import Testing

/// Requests that wait (a database, another API, a slow client) hold no thread, behind real nginx:
/// threads are for running code, and requests in flight are limited by `--max-in-flight`.
@Suite(.serialized)
struct WaitingRequestsTests {
    func urls(_ stack: NginxFrontedApp, _ count: Int, _ path: String) -> [String] {
        (0..<count).map { "http://127.0.0.1:\(stack.port)\(path)\(path.contains("?") ? "&" : "?")n=\($0)" }
    }

    @Test func twoHundredWaitingRequestsTakeAboutAsLongAsOne() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--workers", "2"])
        let started = Date()
        let outcomes = try ParallelRequests(urls(stack, 200, "/api/slow?ms=1000"), in: stack.directory).finish()
        let elapsed = Date().timeIntervalSince(started)
        #expect(outcomes.count == 200)
        #expect(outcomes.allSatisfy { $0.status == 200 })
        // Two threads held by each waiting request would need 100 s for 200 of them.
        #expect(elapsed < 3, "200 waiting requests took \(elapsed) s")
        #expect(outcomes.map(\.seconds).max() ?? 99 < 2.5)
        print("200 requests waiting 1 s each, 2 worker threads: all answered in \(String(format: "%.2f", elapsed)) s")
    }

    @Test func aBusyHandlerDoesNotDelayWaitingOnes() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--workers", "2"])
        // It keeps one of the two threads busy for 2 s.
        let spinner = try ParallelRequests(["http://127.0.0.1:\(stack.port)/api/spin?ms=2000"], in: stack.directory)
        usleep(300_000)
        let started = Date()
        let waiting = try ParallelRequests(urls(stack, 50, "/api/slow?ms=300"), in: stack.directory).finish()
        let elapsed = Date().timeIntervalSince(started)
        #expect(waiting.count == 50 && waiting.allSatisfy { $0.status == 200 })
        // Answered in their own time, long before the spinner is done.
        #expect(elapsed < 1.2, "waiting requests took \(elapsed) s beside a 2 s CPU-bound handler")
        let spun = spinner.finish()
        #expect(spun.first?.status == 200)
        #expect(spun.first?.seconds ?? 0 >= 1.9)
    }

    @Test func threadsBeyondOnePerCoreTakeOverWhenTheOthersAreAllHeld() throws {
        // One thread per core waits for events and the rest rest; here every waiting one is held.
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--workers", String(cores + 2)])
        let blockers = try ParallelRequests(urls(stack, cores, "/api/stubborn?ms=2500"), in: stack.directory)
        usleep(400_000)
        // The resting threads answer everyone else at once, waiting requests included.
        for _ in 0..<5 {
            let result = try stack.get("/api/env")
            #expect(result.status == 200)
            #expect(result.totalTime < 0.5, "a request took \(result.totalTime) s while \(cores) threads were held")
        }
        let started = Date()
        let waiting = try ParallelRequests(urls(stack, 20, "/api/slow?ms=300"), in: stack.directory).finish()
        #expect(waiting.count == 20 && waiting.allSatisfy { $0.status == 200 })
        #expect(Date().timeIntervalSince(started) < 1.5)
        let held = blockers.finish()
        #expect(held.count == cores && held.allSatisfy { $0.status == 200 })
    }

    @Test func aSlowUploadHoldsNoThread() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--workers", "1"], extraLocationDirectives: " fastcgi_request_buffering off;")
        let file = try stack.file(size: 16_000)
        // 16 kB at 4 kB/s: four seconds of trickling body, to a parsed route and to a streaming one.
        var uploads: [RunningProcess] = []
        for (path, type) in [("/api/echo", "text/plain"), ("/api/upload", "application/octet-stream")] {
            uploads.append(try RunningProcess("/usr/bin/curl", [
                "-s", "--http1.1", "--limit-rate", "4k", "-H", "Content-Type: \(type)", "--data-binary", "@\(file.path)",
                "-w", "\\n%{http_code}", "http://127.0.0.1:\(stack.port)\(path)",
            ], in: stack.directory))
        }
        usleep(500_000)
        // Meanwhile the one thread answers everyone else at once.
        for _ in 0..<10 {
            let result = try stack.get("/api/env")
            #expect(result.status == 200)
            #expect(result.totalTime < 0.5, "a request took \(result.totalTime) s beside two slow uploads")
            usleep(200_000)
        }
        #expect(uploads.allSatisfy { $0.process.isRunning }, "the uploads should still be trickling in")
        for upload in uploads { _ = upload.waitForExit(timeout: 20) }
        let echoed = uploads[0].stdout.split(separator: "\n")
        #expect(echoed.last == "200")
        #expect((try? JSON(parsing: String(echoed.first ?? "")))?["body"]?.stringValue?.count == 16_000)
        #expect(uploads[1].stdout == "{\"bytes\":16000}\n200")
    }

    @Test func aStopAnswersEveryWaitingRequest() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--workers", "2"])
        let app = try #require(stack.app)
        let requests = try ParallelRequests(urls(stack, 500, "/api/slow?ms=2000"), in: stack.directory)
        // All 500 are in flight when the signal comes.
        #expect(eventually(timeout: 20) { app.stderr.components(separatedBy: "slow request started").count - 1 == 500 })
        app.signal(SIGTERM)
        let outcomes = requests.finish()
        #expect(outcomes.count == 500)
        #expect(outcomes.allSatisfy { $0.status == 200 }, "\(Dictionary(grouping: outcomes, by: \.status).mapValues(\.count))")
        #expect(app.waitForExit(timeout: 10) == 0)
        #expect(app.stderr.contains("SIGTERM: stopping"))
    }

    @Test func aTimedOutWaitingHandlerIsAnswered504AtOnce() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--workers", "1", "--request-timeout", "1"])
        let app = try #require(stack.app)
        let pid = try #require(try stack.get("/api/version").json?["pid"])
        // One handler that stops when cancelled, one that does not even hear it.
        let slow = try ParallelRequests(["http://127.0.0.1:\(stack.port)/api/slow?ms=10000", "http://127.0.0.1:\(stack.port)/api/deaf?ms=3000"], in: stack.directory)
        usleep(200_000)
        // While they wait, the one thread serves others.
        for _ in 0..<3 { #expect(try stack.get("/api/env").totalTime < 0.5) }
        let outcomes = slow.finish()
        #expect(outcomes.map(\.status) == [504, 504])
        #expect(outcomes.allSatisfy { $0.seconds < 2 }, "\(outcomes)")
        // Neither held a thread, so the process goes on: the watchdog is for handlers that never yield.
        #expect(eventually { app.stderr.contains("deaf request finished waiting") })
        #expect(try stack.get("/api/version").json?["pid"] == pid)
        #expect(!app.stderr.contains("past twice"))
        // What the deaf handler sent late went nowhere: the connections still carry requests cleanly.
        for _ in 0..<5 { #expect(try stack.get("/api/env").status == 200) }
    }

    @Test func pastMaxInFlightRequestsWaitTheirTurnAndNoneIsDropped() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--max-in-flight", "10", "--status-path", "/api/_status"])
        let started = Date()
        let requests = try ParallelRequests(urls(stack, 50, "/api/slow?ms=400"), in: stack.directory)
        usleep(600_000)
        // The status page answers while the process is full, and says so: ten in flight (and the
        // status request itself, which never waits), the rest queued.
        let status = try #require(try stack.get("/api/_status").json)
        #expect(status["in_flight"] == 11)
        #expect(status["queued"]?.intValue ?? 0 > 0)
        #expect(status["max_in_flight"] == 10)
        #expect(status["most_in_flight"]?.intValue ?? 0 <= 11)
        let outcomes = requests.finish()
        let elapsed = Date().timeIntervalSince(started)
        #expect(outcomes.count == 50 && outcomes.allSatisfy { $0.status == 200 })
        // Ten at a time: five rounds of 400 ms at least.
        #expect(elapsed >= 1.9, "50 requests of 400 ms, 10 at a time, took \(elapsed) s")
        #expect(elapsed < 8)
    }
}
