import Foundation
import Nozzle
import NozzleFastCGI
import NozzleTesting
import Testing

/// Worker processes under a supervisor, behind real nginx, under load.
@Suite(.serialized)
struct SupervisorTests {
    @Test func aCrashCostsOnlyTheRequestsOnThatWorker() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--processes", "2", "--workers", "2"])
        let app = try #require(stack.app)
        #expect(eventually { app.stderr.components(separatedBy: "serving FastCGI").count - 1 == 2 })
        let load = try Load(url: "http://127.0.0.1:\(stack.port)/api/env", connections: 64, seconds: 4, in: stack.directory)
        usleep(800_000)
        var crashStatuses: [Int] = []
        for _ in 0..<3 {
            crashStatuses.append(try stack.get("/api/crash").status)
            usleep(700_000)
        }
        let result = load.finish()
        #expect(crashStatuses == [502, 502, 502])
        // nginx retries a request whose kept connection failed, so one crash request can reach a
        // second worker; count the crashes from the supervisor's log.
        #expect(eventually { app.stderr.components(separatedBy: "killed by SIGILL").count - 1 >= 3 })
        // The crash report names the route that was running.
        #expect(app.stderr.contains("killed by SIGILL (signal 4), a Swift trap after"))
        #expect(app.stderr.components(separatedBy: "while running").count - 1 >= 3)
        #expect(app.stderr.contains("GET /api/crash"))
        let crashes = app.stderr.components(separatedBy: "killed by SIGILL").count - 1
        // What fails is what was on the crashed worker: at most its share of nginx's 64 connections.
        #expect(result.failed <= crashes * 64 / 2, "\(result.output)")
        #expect(Double(result.failed) < Double(result.requests) * 0.01)
        #expect(result.requests > 1000)
        // Every crashed worker is replaced: wait until each crash has its "is back" line.
        #expect(eventually { app.stderr.components(separatedBy: "ms after the crash").count - 1 >= crashes })
        let backTimes = app.stderr.split(separator: "\n").filter { $0.contains("ms after the crash") }.compactMap { line in
            Int(line.components(separatedBy: ", ").last?.split(separator: " ").first ?? "")
        }
        #expect(backTimes.count >= crashes)
        #expect(backTimes.allSatisfy { $0 < 1000 }, "\(backTimes)")
        print("crash test: \(result.requests) requests under load, \(result.failed) failed, \(crashes) crashes, workers back in \(backTimes) ms")
        #expect(try stack.get("/api/env").status == 200)
    }

    @Test func reloadSwapsTheBinaryUnderLoadDroppingNothing() throws {
        let directory = Paths.temporaryDirectory()
        let executable = directory.appending(path: "app").path
        try FileManager.default.copyItem(atPath: Paths.binary("fixture-app"), toPath: executable)
        let stack = try NginxFrontedApp(binary: "fixture-app", executable: executable, arguments: ["--processes", "2", "--workers", "2"])
        let app = try #require(stack.app)
        let before = try #require(try stack.get("/api/version").json?["inode"]?.intValue)
        let load = try Load(url: "http://127.0.0.1:\(stack.port)/api/env", connections: 32, seconds: 4, in: stack.directory)
        usleep(1_000_000)
        // A deploy: the new build replaces the file, then SIGHUP.
        try FileManager.default.copyItem(atPath: Paths.binary("fixture-app"), toPath: executable + ".new")
        #expect(rename(executable + ".new", executable) == 0)
        app.signal(SIGHUP)
        let result = load.finish()
        #expect(result.failed == 0, "\(result.output)")
        #expect(eventually { app.stderr.contains("reload: new workers serving; old workers retiring") })
        let after = try #require(try stack.get("/api/version").json?["inode"]?.intValue)
        #expect(after != before)
        print("reload test: \(result.requests) requests under load, \(result.failed) failed; inode \(before) → \(after)")
    }

    @Test func sigtermFinishesAcceptedRequestsThenExits0() throws {
        // Room for the load and the slow requests, so the slow ones are accepted when the signal comes.
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--processes", "2", "--workers", "8"])
        let app = try #require(stack.app)
        #expect(eventually { app.stderr.components(separatedBy: "serving FastCGI").count - 1 == 2 })
        let load = try Load(url: "http://127.0.0.1:\(stack.port)/api/env", connections: 8, seconds: 3, in: stack.directory)
        // Slow requests that the workers are serving when the signal comes.
        let group = DispatchGroup()
        let statuses = Statuses()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: group) {
                statuses.add((try? stack.get("/api/slow?ms=1500"))?.status ?? 0)
            }
        }
        // Every slow request is in a worker's hands before the signal.
        #expect(eventually(timeout: 20) { app.stderr.components(separatedBy: "slow request started").count - 1 == 4 })
        app.signal(SIGTERM)
        group.wait()
        _ = load.finish()
        #expect(statuses.all == [200, 200, 200, 200])
        #expect(app.waitForExit(timeout: 10) == 0)
        #expect(app.stderr.contains("SIGTERM: stopping 2 workers gracefully"))
        #expect(!app.stderr.contains("killed by"))
    }

    @Test func maxRequestsRecyclesWorkersWithoutDroppingRequests() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--processes", "2", "--workers", "2", "--max-requests", "300"])
        let app = try #require(stack.app)
        let load = try Load(url: "http://127.0.0.1:\(stack.port)/api/env", connections: 16, seconds: 3, in: stack.directory)
        let result = load.finish()
        let recycled = app.stderr.components(separatedBy: "recycled after").count - 1
        #expect(recycled >= 2)
        #expect(result.failed == 0, "\(result.output)")
        print("max-requests test: \(result.requests) requests, \(recycled) workers recycled, \(result.failed) failed")
    }

    /// gunicorn's `max_requests_jitter`: each worker retires after its own count, from
    /// `--max-requests` to that plus the jitter, so workers started together retire apart.
    @Test func maxRequestsJitterSpreadsTheRetirements() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--processes", "2", "--workers", "2", "--max-requests", "200", "--max-requests-jitter", "200"])
        let app = try #require(stack.app)
        let load = try Load(url: "http://127.0.0.1:\(stack.port)/api/env", connections: 16, seconds: 4, in: stack.directory)
        let result = load.finish()
        #expect(result.failed == 0, "\(result.output)")
        let counts = app.stderr.components(separatedBy: "served its ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(counts.count >= 2, "\(app.stderr)")
        #expect(counts.allSatisfy { (200...400).contains($0) }, "\(counts)")
        #expect(Set(counts).count > 1, "every worker retired after the same count: \(counts)")
        print("max-requests-jitter test: \(result.requests) requests, workers retired after \(counts)")
    }

    /// uWSGI's `reload-on-rss`: a worker whose resident memory passes `--max-memory` finishes its
    /// requests and is replaced, and no request fails meanwhile.
    @Test func maxMemoryReplacesAGrowingWorkerWithoutDroppingRequests() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--processes", "2", "--workers", "2", "--max-memory", "150mb"])
        let app = try #require(stack.app)
        let load = try Load(url: "http://127.0.0.1:\(stack.port)/api/env", connections: 16, seconds: 5, in: stack.directory)
        // Each of these keeps 40 MiB in whichever worker answers it: one of the two passes 150 MB.
        var grown = 0
        for _ in 0..<8 where !app.stderr.contains("past --max-memory") {
            let grow = try stack.request("POST", "/api/grow?mb=40")
            #expect(grow.status == 200, "\(grow.body)")
            grown += 1
        }
        let result = load.finish()
        #expect(eventually { app.stderr.contains("is past --max-memory 150.0 MB: stopping") }, "\(app.stderr)")
        #expect(eventually { app.stderr.contains("recycled after") }, "\(app.stderr)")
        #expect(result.failed == 0, "\(result.output)")
        // The replacement serves.
        #expect(try stack.get("/api/version").status == 200)
        print("max-memory test: \(grown) grows of 40 MiB, \(result.requests) requests under load, \(result.failed) failed")
    }
}

/// Statuses collected from several threads.
final class Statuses: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func add(_ value: Int) { lock.withLock { values.append(value) } }
    var all: [Int] { lock.withLock { values } }
}

/// `--request-timeout`: 504 for the client, and a fresh worker when a handler will not stop.
@Suite(.serialized)
struct RequestTimeoutTests {
    @Test func slowHandlerIsCancelledWith504() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--processes", "1", "--request-timeout", "1"])
        let before = try #require(try stack.get("/api/version").json?["pid"])
        let result = try stack.get("/api/slow?ms=4000")
        #expect(result.status == 504)
        #expect(result.json == ["error": "Request timed out"])
        #expect(result.totalTime < 2.5)
        // The handler stopped when cancelled: the same worker goes on.
        #expect(try stack.get("/api/version").json?["pid"] == before)
        #expect(eventually { stack.app?.stderr.contains("request timed out after 1.0 seconds") == true })
    }

    @Test func handlerThatIgnoresCancellationEndsItsWorker() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--processes", "1", "--request-timeout", "1"])
        let app = try #require(stack.app)
        let before = try #require(try stack.get("/api/version").json?["pid"])
        let result = try stack.get("/api/stubborn?ms=20000")
        // The client has its answer at the timeout, whatever the handler does.
        #expect(result.status == 504)
        #expect(result.totalTime < 2.5)
        // At twice the timeout the worker is ended and replaced.
        #expect(eventually(timeout: 10) { app.stderr.contains("past twice --request-timeout") })
        #expect(eventually(timeout: 10) { app.stderr.contains("exited with status 70") })
        var after: JSON?
        #expect(eventually(timeout: 10) {
            after = try? stack.get("/api/version").json?["pid"]
            return after != nil && after != before
        })
    }
}

/// CVE-2025-23016: libfcgi 2.4.2-2+deb12u1 checks each PARAMS length but sums them in a signed
/// 32-bit int, so a record whose lengths add up past 2³¹ made it abort. The host reads records
/// itself now; a length past what the record holds is a protocol error that closes only that
/// connection, with a log line.
@Suite(.serialized)
struct CraftedParamsTests {
    /// BEGIN_REQUEST, a PARAMS record with a name length and a value length of 0x7FFFFFF0 each, and
    /// the empty PARAMS record that ends the stream.
    static let craftedRequest: [UInt8] = FastCGIRecord.begin(keepConnection: true)
        + FastCGIRecord.encode(.params, content: [0xFF, 0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0xFF, 0xF0, 0x41, 0x42])
        + FastCGIRecord.encode(.params, content: [])

    @Test func serviceKeepsAnsweringAfterCraftedParamsRecords() throws {
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "app.sock").path
        let app = try RunningProcess(Paths.binary("fixture-app"), ["--listen", "unix:\(path)", "--processes", "2"], in: directory)
        let get: [(String, String)] = [("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", "/api/env"), ("QUERY_STRING", "")]
        #expect(eventually { app.stderr.components(separatedBy: "serving FastCGI").count - 1 == 2 })
        for round in 1...3 {
            let attacker = try FastCGISocket.connect(unix: path)
            try attacker.writeAll(CraftedParamsTests.craftedRequest)
            // Only the attacker's connection closes, with a line that says why.
            #expect(attacker.isClosedByPeer(timeout: 5))
            #expect(eventually { app.stderr.components(separatedBy: "ends in the middle of a name-value pair").count - 1 == round }, "\(app.stderr.suffix(2000))")
            for _ in 0..<5 {
                var answer: FastCGIWireClient.Answer?
                #expect(eventually { answer = try? FastCGISocket.connect(unix: path).send(params: get); return answer != nil })
                #expect(answer?.response.status == 200)
            }
        }
        // No worker died for it.
        #expect(!app.stderr.contains("killed by"))
    }
}
