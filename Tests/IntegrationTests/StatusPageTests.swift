import Foundation
import Nozzle
import NozzleTesting
import Testing

/// `--status-path` and `--ping-path`.
@Suite(.serialized)
struct StatusPageTests {
    @Test func statusCountsRequestsPerRouteAndPingAnswers() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--status-path", "/api/_status", "--ping-path", "/api/_ping"])
        for _ in 0..<20 { #expect(try stack.get("/api/env").status == 200) }
        for _ in 0..<3 { #expect(try stack.get("/api/boom").status == 500) }
        _ = try stack.get("/api/slow?ms=1100")
        _ = try stack.get("/api/nothing-here")

        let ping = try stack.get("/api/_ping")
        #expect(ping.status == 200)
        #expect(ping.body == "pong")

        let page = try stack.get("/api/_status")
        let status = try #require(page.json)
        #expect(page.headers["Cache-Control"] == "no-store")
        #expect(status["pool"] == "fixture-app")
        #expect(status["accepted_requests"]?.intValue == 25)
        #expect(status["total_workers"]?.intValue == 4)
        #expect(status["slow_requests"] == 1)
        #expect(status["uptime_seconds"]?.intValue ?? -1 >= 0)
        let routes = try #require(status["routes"]?.arrayValue)
        let env = try #require(routes.first { $0["route"] == "/api/env" })
        #expect(env["count"] == 20)
        #expect(env["errors"] == 0)
        #expect(env["p50_ms"]?.doubleValue ?? 0 > 0)
        #expect(routes.first { $0["route"] == "/api/boom" }?["errors"] == 3)
        let slow = try #require(routes.first { $0["route"] == "/api/slow" })
        #expect(slow["p99_ms"]?.doubleValue ?? 0 >= 1000)
        #expect(routes.contains { $0["route"] == "(no route)" })

        let prometheus = try stack.get("/api/_status?format=prometheus")
        // Parameters in name order, as Express's content-type formats them.
        #expect(prometheus.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(prometheus.body.contains("# TYPE nozzle_accepted_requests_total counter"))
        // Under the OpenTelemetry names and labels that swift-metrics records, where they are the same quantity.
        #expect(prometheus.body.contains(#"http_server_request_duration_seconds_count{pool="fixture-app",http_route="/api/env"} 20"#))
        #expect(prometheus.body.contains(#"http_server_request_duration_seconds{pool="fixture-app",http_route="/api/slow",quantile="0.99"} 1."#))
        #expect(prometheus.body.contains(#"nozzle_route_errors_total{pool="fixture-app",http_route="/api/boom"} 3"#))
        #expect(prometheus.body.contains(#"# TYPE http_server_active_requests gauge"#))
        #expect(prometheus.body.contains(#"http_server_active_requests{pool="fixture-app"} 1"#))
    }

    @Test func underASupervisorStatusAddsUpThePool() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--processes", "2", "--workers", "3", "--status-path", "/api/_status"])
        let app = try #require(stack.app)
        #expect(eventually { app.stderr.components(separatedBy: "serving FastCGI").count - 1 == 2 })
        // Concurrent requests until both workers have served some: which process accepts nginx's
        // connections is the kernel's choice, and one may take all eight at first.
        var requests = 0
        var rounds = 0
        var before: JSON = .null
        repeat {
            let result = try Load(url: "http://127.0.0.1:\(stack.port)/api/version", connections: 8, seconds: 2, in: stack.directory).finish()
            #expect(result.failed == 0)
            requests += result.requests
            rounds += 1
            before = try #require(try stack.get("/api/_status").json)
        } while rounds < 5 && !(before["process_list"]?.arrayValue ?? []).allSatisfy({ $0["accepted_requests"]?.intValue ?? 0 > 0 })
        // Both processes served part of the load, and the page adds up both.
        let processes = try #require(before["process_list"]?.arrayValue)
        #expect(processes.count == 2)
        #expect(processes.allSatisfy { $0["accepted_requests"]?.intValue ?? 0 > 0 })
        // wrk does not count the requests still in flight when its time is up; the app answered them.
        let counted = try #require(before["routes"]?.arrayValue?.first { $0["route"] == "/api/version" }?["count"]?.intValue)
        #expect(counted >= requests && counted <= requests + 8 * rounds, "\(counted) against \(requests)")
        #expect(before["processes"] == 2)
        #expect(before["total_workers"] == 6)

        // A worker crashes and is replaced; what it counted stays in the pool's figures. (nginx may
        // retry the crashing request on the other worker too, so wait for the whole pool.)
        _ = try stack.get("/api/crash")
        var latest: JSON?
        #expect(eventually {
            latest = try? stack.get("/api/_status").json
            return latest?["processes"] == 2 && app.stderr.contains("is back")
        })
        let after = try #require(latest)
        #expect(after["routes"]?.arrayValue?.first { $0["route"] == "/api/version" }?["count"]?.intValue == counted)
        #expect(after["routes"]?.arrayValue?.first { $0["route"] == "/api/crash" }?["count"] == nil)
    }

    @Test func pagesAreHiddenFromOtherClients() throws {
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "app.sock").path
        let app = try RunningProcess(Paths.binary("fixture-app"), ["--listen", "unix:\(path)", "--status-path", "/_status", "--ping-path", "/_ping"], in: directory)
        var client: FastCGIWireClient?
        #expect(eventually { client = try? FastCGISocket.connect(unix: path); return client != nil })
        for (page, address, expected) in [("/_ping", "203.0.113.5", 404), ("/_status", "2001:db8::1", 404), ("/_ping", "127.0.0.1", 200), ("/_status", "::1", 200)] {
            let answer = try #require(client).send(params: [("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", page), ("REMOTE_ADDR", address)])
            #expect(answer.response.status == expected, "\(page) from \(address)")
        }
        _ = app
    }
}
