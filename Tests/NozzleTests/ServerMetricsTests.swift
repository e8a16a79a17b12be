import CoreMetrics
import MetricsTestKit
import Nozzle
import NozzleTesting
import Synchronization
import Testing

/// Request metrics through swift-metrics, under the names Hummingbird's `MetricsMiddleware` uses.
struct ServerMetricsTests {
    static func client(_ metrics: TestMetrics, _ handler: @escaping Handler = { _, res in res.send("ok") }) -> TestClient {
        var app = App(routes: RouteTable([
            Route("/api/users/[id]", handlers: ["GET": handler, "PUT": handler]),
        ]))
        app.metricsFactory = metrics
        return TestClient(app: app)
    }

    @Test func durationIsRecordedByRouteTemplateMethodAndStatus() async throws {
        let metrics = TestMetrics()
        let client = Self.client(metrics)
        _ = await client.request("GET", "/api/users/1")
        _ = await client.request("GET", "/api/users/2")
        _ = await client.request("PUT", "/api/users/2", headers: [("Content-Type", "application/json")], body: Array(#"{"a":1}"#.utf8))
        _ = await client.request("GET", "/nowhere")
        let get = try metrics.expectTimer("http.server.request.duration", [
            ("http.route", "/api/users/{id}"), ("http.request.method", "GET"), ("http.response.status_code", "200"),
        ])
        #expect(get.values.count == 2)
        #expect(get.values.allSatisfy { $0 > 0 })
        let notFound = try metrics.expectTimer("http.server.request.duration", [
            ("http.route", ""), ("http.request.method", "GET"), ("http.response.status_code", "404"),
        ])
        #expect(notFound.values.count == 1)
        let put = [("http.route", "/api/users/{id}"), ("http.request.method", "PUT"), ("http.response.status_code", "200")]
        #expect(try metrics.expectRecorder("http.server.request.body.size", put).values == [7])
        #expect(try metrics.expectRecorder("http.server.response.body.size", put).values == [2])
    }

    @Test func activeRequestsCountsWhatIsInFlight() async throws {
        let metrics = TestMetrics()
        let inHandler = Mutex<Double?>(nil)
        let client = Self.client(metrics) { _, res in
            let meter = try metrics.expectMeter("http.server.active_requests", [("http.request.method", "GET")])
            inHandler.withLock { $0 = meter.lastValue }
            res.send("ok")
        }
        _ = await client.request("GET", "/api/users/1")
        #expect(inHandler.withLock { $0 } == 1)
        #expect(try metrics.expectMeter("http.server.active_requests", [("http.request.method", "GET")]).lastValue == 0)
    }

    @Test func madeUpMethodsShareOneSeries() async throws {
        let metrics = TestMetrics()
        let client = Self.client(metrics)
        for method in ["BREW", "WHEN", "X1", "X2"] { _ = await client.request(method, "/api/users/1") }
        let timers = metrics.timers(label: "http.server.request.duration")
        #expect(timers.count == 1)
        #expect(timers.first?.dimensions.first { $0.0 == "http.request.method" }?.1 == "_OTHER")
        #expect(timers.first?.values.count == 4)
    }
}
