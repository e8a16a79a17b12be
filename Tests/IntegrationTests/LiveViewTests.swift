import Foundation
import Nozzle
import Testing

/// The status page's live view (`?full`, `?html`) and `--slow-request-log`, through nginx.
@Suite(.serialized)
struct LiveViewTests {
    /// The requests `?full` lists, once it lists `count` of them.
    static func inFlight(_ stack: NginxFrontedApp, count: Int, query: String = "full") throws -> (JSON, [JSON]) {
        var page: JSON?
        _ = eventually {
            page = try? stack.get("/api/_status?\(query)").json
            return page?["requests"]?.arrayValue?.count == count
        }
        let status = try #require(page)
        return (status, try #require(status["requests"]?.arrayValue))
    }

    @Test func fullListsEveryRequestInFlightAcrossThePool() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--processes", "2", "--workers", "3", "--status-path", "/api/_status"])
        let app = try #require(stack.app)
        #expect(eventually { app.stderr.components(separatedBy: "serving FastCGI").count - 1 == 2 })
        // Waiting requests, and one that holds its thread; enough at once that both processes take some.
        let base = "http://127.0.0.1:\(stack.port)"
        let waiting = (0..<24).map { "\(base)/api/slow?ms=6000&token=secret\($0)" }
        let load = try ParallelRequests(waiting + ["\(base)/api/spin?ms=4000"], in: stack.directory)
        // A request that has just arrived is `running` while its first steps run: the worker
        // threads run under SCHED_BATCH, so any other process that wakes (nginx, this test) may
        // hold that thread's core for a while. Once it awaits its sleep it holds no thread.
        var snapshot: (JSON, [JSON])?
        #expect(eventually {
            snapshot = try? Self.inFlight(stack, count: 25)
            return snapshot?.1.filter { $0["route"] == "/api/slow" }.allSatisfy { $0["state"] == "waiting" } == true
        })
        let (status, requests) = try #require(snapshot)

        // Every process's requests: the pool's count of requests in flight (from shared memory) is
        // these and the status request itself.
        #expect(status["in_flight"]?.intValue == 26)
        let pids = Set(requests.compactMap { $0["pid"]?.intValue })
        let processes = Set(try #require(status["process_list"]?.arrayValue).compactMap { $0["pid"]?.intValue })
        #expect(pids.isSubset(of: processes) && !pids.isEmpty, "\(pids) against \(processes)")

        let spin = try #require(requests.first { $0["route"] == "/api/spin" })
        #expect(spin["state"] == "running")
        #expect(spin["thread"]?.intValue != nil)
        #expect(spin["method"] == "GET")
        #expect(spin["path"] == "/api/spin?ms=…")
        let slow = requests.filter { $0["route"] == "/api/slow" }
        #expect(slow.count == 24)
        #expect(slow.allSatisfy { $0["state"] == "waiting" && $0["thread"] == nil })
        // Query values stay out of the page unless asked for: tokens, emails.
        #expect(slow.allSatisfy { $0["path"] == "/api/slow?ms=…&token=…" })
        #expect(!(try stack.get("/api/_status?full").body.contains("secret")))
        // The oldest first, with nginx's request ids (what its access log can show).
        let seconds = requests.compactMap { $0["seconds"]?.doubleValue }
        #expect(seconds == seconds.sorted(by: >))
        #expect(requests.allSatisfy { $0["id"]?.stringValue?.count == 32 })

        let outcomes = load.finish()
        #expect(outcomes.count == 25 && outcomes.allSatisfy { $0.status == 200 })
        let (_, after) = try Self.inFlight(stack, count: 0)
        #expect(after.isEmpty)
    }

    @Test func fullShowsQueryValuesWhenAsked() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--status-path", "/api/_status", "--status-show-query"])
        let load = try ParallelRequests(["http://127.0.0.1:\(stack.port)/api/slow?ms=3000&q=shoes"], in: stack.directory)
        // Running while its first steps run, then waiting in its sleep (see above).
        var requests: [JSON] = []
        #expect(eventually {
            requests = (try? Self.inFlight(stack, count: 1).1) ?? []
            return requests.first?["state"] == "waiting"
        })
        #expect(requests.first?["path"] == "/api/slow?ms=3000&q=shoes")
        _ = load.finish()
    }

    @Test func requestReadingItsBodyIsShownSo() throws {
        let stack = try NginxFrontedApp(
            binary: "fixture-app", arguments: ["--status-path", "/api/_status"], extraLocationDirectives: "fastcgi_request_buffering off;")
        // curl sends a chunked body from its stdin: a part now, the rest later. Meanwhile the body
        // parser waits for it, holding no thread.
        let input = Pipe()
        let upload = try RunningProcess("/usr/bin/curl", [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-T", "-", "-H", "Content-Type: application/json",
            "http://127.0.0.1:\(stack.port)/api/echo",
        ], stdin: input.fileHandleForReading, in: stack.directory)
        input.fileHandleForWriting.write(Data(#"{"name": "#.utf8))
        // Between the first part's arrival and the parser's next wait, its task is briefly queued
        // to run again: wait for the state it then keeps until the rest comes.
        var requests: [JSON] = []
        #expect(eventually {
            requests = (try? Self.inFlight(stack, count: 1).1) ?? []
            return requests.first?["state"] == "reading body"
        }, "\(requests)")
        #expect(requests.first?["route"] == "/api/echo")
        input.fileHandleForWriting.write(Data(#""Ada"}"#.utf8))
        try input.fileHandleForWriting.close()
        _ = upload.waitForExit(timeout: 10)
        #expect(upload.stdout == "200")
    }

    @Test func htmlPageShowsTheRequestsInABrowser() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--status-path", "/api/_status"])
        let base = "http://127.0.0.1:\(stack.port)"
        let load = try ParallelRequests((0..<3).map { "\(base)/api/slow?ms=8000&n=\($0)" }, in: stack.directory)
        _ = try Self.inFlight(stack, count: 3)

        let page = try stack.get("/api/_status?html")
        #expect(page.status == 200)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.headers["Content-Security-Policy"]?.contains("default-src 'none'") == true)

        // Headless Chromium renders it (the script fills the tables, then fetches ?full again), and
        // the screenshot's text is read back.
        let screenshot = stack.directory.appending(path: "status.png")
        let chromium = try RunningProcess.run("/usr/bin/chromium", [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,900",
            "--user-data-dir=\(stack.directory.appending(path: "chromium").path)", "--virtual-time-budget=3000",
            "--screenshot=\(screenshot.path)", "\(base)/api/_status?html",
        ], in: stack.directory, timeout: 60)
        #expect(chromium.status == 0, "\(chromium.stderr)")
        let ocr = try RunningProcess.run("/usr/bin/tesseract", [screenshot.path, "-"], in: stack.directory, timeout: 60)
        let text = ocr.stdout
        #expect(text.contains("Requests in flight (3)"), "\(text)")
        #expect(text.components(separatedBy: "/api/slow").count - 1 >= 3, "\(text)")
        #expect(text.contains("waiting"), "\(text)")
        #expect(text.contains("fixture-app"), "\(text)")
        _ = load.finish()
    }

    @Test func slowRequestLogSaysWhereEachRequestIs() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--slow-request-log", "0.5", "--workers", "2"])
        let app = try #require(stack.app)
        let base = "http://127.0.0.1:\(stack.port)"
        let load = try ParallelRequests(["\(base)/api/spin?ms=2000", "\(base)/api/slow?ms=2000", "\(base)/api/env"], in: stack.directory)
        #expect(eventually { app.stderr.components(separatedBy: "slow request:").count - 1 == 2 })
        let outcomes = load.finish()
        #expect(outcomes.allSatisfy { $0.status == 200 })
        let lines = app.stderr.split(separator: "\n").filter { $0.contains("slow request:") }
        // Each once, after the threshold: the quick request never.
        #expect(lines.count == 2, "\(lines)")
        let spin = try #require(lines.first { $0.contains("route=/api/spin") })
        #expect(spin.contains("state=running"))
        #expect(spin.contains("level=warning"))
        // The stack of the thread it holds, named: the handler's own function is in it.
        #expect(spin.contains("stack=\"#0 "), "\(spin)")
        #expect(spin.contains("fixture_app.Spin.GET(Nozzle.Request, Nozzle.Response)"), "\(spin)")
        let slow = try #require(lines.first { $0.contains("route=/api/slow") })
        #expect(slow.contains("state=waiting"))
        #expect(slow.contains("waiting without holding a thread"))
        #expect(!slow.contains("stack="))
    }
}
