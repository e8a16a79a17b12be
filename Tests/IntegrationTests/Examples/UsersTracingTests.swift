import Foundation
import Nozzle
import Testing

/// The users example exporting its traces and metrics over OTLP/HTTP (swift-otel) to a real
/// receiver, behind nginx, on PostgreSQL: one request followed from the caller's `traceparent` to
/// the exported spans.
@Suite(.serialized)
struct UsersTracingTests {
    /// An OTLP/HTTP receiver on a loopback port (`Tests/Tools/otlp-receiver.py`), writing down what
    /// it receives.
    struct OTLPReceiver {
        let tool: LoopbackTool
        let output: URL
        var port: Int { tool.port }

        init(in directory: URL) throws {
            output = directory.appending(path: "otlp.jsonl")
            tool = try LoopbackTool("otlp-receiver.py", in: directory, arguments: [output.path])
        }

        /// What it has received so far.
        var records: [JSON] { LoopbackTool.records(output) }
    }

    @Test func oneRequestsSpansArriveEndToEnd() throws {
        let directory = Paths.temporaryDirectory()
        let receiver = try OTLPReceiver(in: directory)
        let stack = try NginxFrontedApp(
            binary: "users", executable: ExampleBuild.binary("users"), arguments: ["--processes", "2", "--workers", "2", "--access-log"],
            environment: [
                "DATABASE_URL": try UsersExampleTests.postgres.get().createDatabase(),
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(receiver.port)",
                "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_METRIC_EXPORT_INTERVAL": "500",
            ],
            directory: directory)
        let app = try #require(stack.app)

        let created = try stack.request("POST", "/api/users", headers: ["Content-Type: application/json"], body: #"{"name":"Ada","email":"ada@example.com"}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        // The caller's trace: a gateway or a browser sent this traceparent.
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736", caller = "00f067aa0ba902b7"
        let fetched = try stack.get("/api/users/\(id)", headers: ["traceparent: 00-\(trace)-\(caller)-01", "User-Agent: tracing-test/1.0"])
        #expect(fetched.status == 200)

        var spans: [JSON] = []
        #expect(eventually(timeout: 15) {
            spans = receiver.records.filter { $0["type"] == "span" && $0["trace_id"]?.stringValue == trace }
            return spans.count >= 2
        }, "\(receiver.records)")
        // The server span continues the caller's trace, named after the route's template.
        let server = try #require(spans.first { $0["kind"]?.intValue == 2 }, "\(spans)")
        #expect(server["name"] == "GET /api/users/{id}")
        #expect(server["parent_span_id"]?.stringValue == caller)
        #expect(server["service"] == "users")
        let attributes = try #require(server["attributes"])
        #expect(attributes["http.request.method"] == "GET")
        #expect(attributes["http.route"] == "/api/users/{id}")
        #expect(attributes["url.path"]?.stringValue == "/api/users/\(id)")
        #expect(attributes["http.response.status_code"]?.intValue == 200)
        #expect(attributes["user_agent.original"] == "tracing-test/1.0")
        #expect(attributes["client.address"] == "127.0.0.1")
        // The query is its child: a client span with the database conventions' attributes.
        let query = try #require(spans.first { $0["kind"]?.intValue == 3 }, "\(spans)")
        #expect(query["name"] == "SELECT users")
        #expect(query["parent_span_id"] == server["span_id"])
        #expect(query["attributes"]?["db.system.name"] == "postgresql")
        #expect(query["attributes"]?["db.query.text"]?.stringValue?.hasPrefix("SELECT id, name, email, created_at FROM users WHERE id = $1") == true)
        // A query span lies within its request's.
        #expect((query["start"]?.intValue ?? 0) >= (server["start"]?.intValue ?? .max))
        #expect((query["end"]?.intValue ?? .max) <= (server["end"]?.intValue ?? 0))

        // Nozzle's request metrics reach the receiver too, under OpenTelemetry's names.
        #expect(eventually(timeout: 15) {
            receiver.records.contains { $0["type"] == "metric" && $0["name"] == "http.server.request.duration" && $0["attributes"]?["http.route"] == "/api/users/{id}" }
        })

        // The request's log line carries the same ids: logs and traces join.
        let spanID = try #require(server["span_id"]?.stringValue)
        #expect(eventually { app.stderr.contains("trace_id=\(trace) span_id=\(spanID)") }, "\(app.stderr)")
    }
}
