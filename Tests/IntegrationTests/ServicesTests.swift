#if ServiceLifecycle
import Foundation
import Nozzle
import Testing

/// `app.services` through nginx: swift-service-lifecycle services start, in order, before a worker
/// serves, and stop gracefully, in reverse order, after its last request, on SIGTERM and on a
/// reload. The fixture's two services (`FIXTURE_SERVICES=1`) write a line as they start, as they are
/// asked to stop, and once stopped, each with its process id.
@Suite(.serialized)
struct ServicesTests {
    /// Where `text` first appears in `log`; `Int.max` when it does not.
    func position(_ text: String, in log: String) -> Int {
        log.range(of: text).map { log.distance(from: log.startIndex, to: $0.lowerBound) } ?? .max
    }

    /// Whether each text first appears after the one before it.
    func inOrder(_ texts: [String], in log: String) -> Bool {
        let positions = texts.map { position($0, in: log) }
        return !positions.contains(.max) && positions == positions.sorted()
    }

    @Test func servicesStartBeforeServingAndStopAfterTheLastRequestLastFirst() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--access-log"], environment: ["FIXTURE_SERVICES": "1"])
        let app = try #require(stack.app)
        let pid = app.pid
        // Both are started (their run() called, concurrently, as a ServiceGroup runs them) before
        // the process serves; each one's own first line may come a moment later.
        #expect(inOrder(["nozzle: started 2 services: LoggingService, LoggingService", "serving FastCGI"], in: app.stderr), "\(app.stderr)")
        for service in ["alpha", "beta"] {
            #expect(eventually { app.stderr.contains("service \(service) started pid=\(pid)") }, "\(app.stderr)")
        }
        // A request in flight when SIGTERM comes: the services outlive it.
        let slow = try ParallelRequests(["http://127.0.0.1:\(stack.port)/api/slow?ms=1000"], in: stack.directory)
        #expect(eventually { app.stderr.contains("slow request started") })
        app.signal(SIGTERM)
        #expect(slow.finish().map(\.status) == [200])
        #expect(app.waitForExit(timeout: 15) == 0)
        #expect(inOrder([
            "path=/api/slow status=200", "service beta stopping pid=\(pid)", "service beta stopped pid=\(pid)",
            "service alpha stopping pid=\(pid)", "service alpha stopped pid=\(pid)", "nozzle: services stopped",
        ], in: app.stderr), "\(app.stderr)")
    }

    /// An app that composes its own ServiceGroup, with the host as one of its services: the group
    /// owns SIGTERM, stops the host first (after its request in flight) and its own service after.
    @Test func theHostRunsAsAServiceOfTheAppsOwnGroup() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--access-log"], environment: ["FIXTURE_SERVICE_GROUP": "1"])
        let app = try #require(stack.app)
        #expect(eventually { app.stderr.contains("as a service") }, "\(app.stderr)")
        #expect(try stack.get("/api/env").status == 200)
        let slow = try ParallelRequests(["http://127.0.0.1:\(stack.port)/api/slow?ms=1000"], in: stack.directory)
        #expect(eventually { app.stderr.contains("slow request started") })
        app.signal(SIGTERM)
        #expect(slow.finish().map(\.status) == [200])
        #expect(app.waitForExit(timeout: 15) == 0, "\(app.stderr)")
        #expect(inOrder([
            "service alpha started", "as a service", "graceful shutdown of the service group: stopping",
            "path=/api/slow status=200", "nozzle: stopped", "service alpha stopping", "service alpha stopped",
        ], in: app.stderr), "\(app.stderr)")
    }

    @Test func aServiceThatFailsStopsTheProcessGracefully() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", environment: ["FIXTURE_SERVICES": "fail"])
        let app = try #require(stack.app)
        // It stops as SIGTERM would, and exits 1: a supervisor or systemd sees a failure.
        #expect(app.waitForExit(timeout: 15) == 1, "\(app.stderr)")
        #expect(app.stderr.contains("a service failed"), "\(app.stderr)")
        #expect(app.stderr.contains("the queue is unreachable"), "\(app.stderr)")
        // The others were shut down gracefully.
        #expect(app.stderr.contains("service alpha stopped pid=\(app.pid)"), "\(app.stderr)")
    }

    @Test func aReloadStartsTheNewWorkersServicesAndStopsTheOldOnesAfterItsLastRequest() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--processes", "1", "--access-log"], environment: ["FIXTURE_SERVICES": "1"])
        let app = try #require(stack.app)
        #expect(eventually { app.stderr.contains("serving FastCGI") && app.stderr.contains("service alpha started") })
        let old = try #require(app.stderr.firstMatch(of: /service alpha started pid=(\d+)/).map { String($0.1) })
        let slow = try ParallelRequests(["http://127.0.0.1:\(stack.port)/api/slow?ms=1500"], in: stack.directory)
        #expect(eventually { app.stderr.contains("slow request started") })
        app.signal(SIGHUP)
        #expect(slow.finish().map(\.status) == [200])
        #expect(eventually { app.stderr.contains("service alpha stopped pid=\(old)") }, "\(app.stderr)")
        let log = app.stderr
        // The old worker's services stopped after its last request, last first…
        #expect(inOrder(["path=/api/slow status=200", "service beta stopping pid=\(old)", "service alpha stopping pid=\(old)"], in: log), "\(log)")
        // …and the new worker's were started (their run() called; each one's own first line may
        // come a moment after the worker's "serving" line).
        let new = try #require(log.matches(of: /serving FastCGI .* pid (\d+)/).map { String($0.1) }.first { $0 != old }, "\(log)")
        for service in ["alpha", "beta"] {
            #expect(eventually { app.stderr.contains("service \(service) started pid=\(new)") }, "\(app.stderr)")
        }
        #expect(try stack.get("/api/env").status == 200)
    }
}
#endif
