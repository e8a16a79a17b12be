import Nozzle
import NozzleTesting
import Synchronization
import Testing

/// `res.after` in process: when the work runs, how many run at once, and what a stop past its
/// timeout does to it. (Through nginx, with a graceful stop: `IntegrationTests/AfterResponseTests`.)
struct AfterResponseTests {
    /// A gate the work waits at, opened by the test.
    final class Gate: Sendable {
        private let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        init() { (stream, continuation) = AsyncStream.makeStream() }

        func wait() async { for await _ in stream { return } }
        func open() { continuation.finish() }
    }

    @Test func theWorkRunsAfterTheResponseWheneverItIsGiven() async {
        let events = Mutex<[String]>([])
        let gate = Gate()
        let app = App(routes: RouteTable([Route("/t", handlers: ["POST": { _, res in
            // Given before the answer, it still waits for the answer to go out.
            res.after {
                await gate.wait()
                events.withLock { $0.append("after") }
            }
            res.status(201).send("created")
            events.withLock { $0.append("answered") }
        }])]))
        let response = await TestClient(app: app).request("POST", "/t")
        // The client has its answer while the work waits.
        #expect(response.status == 201)
        #expect(events.withLock { $0 } == ["answered"])
        #expect(app.afterResponse.figures.running == 1)
        gate.open()
        await app.afterResponse.idle()
        #expect(events.withLock { $0 } == ["answered", "after"])
        #expect(app.afterResponse.figures == {
            var figures = AfterResponseWork.Figures()
            figures.completed = 1
            figures.limit = 100
            return figures
        }())
    }

    @Test func pastTheLimitWorkWaitsInOrderAndNoneIsDropped() async {
        let order = Mutex<[Int]>([])
        let gate = Gate()
        var app = App(routes: RouteTable([Route("/t/[n]", handlers: ["POST": { req, res in
            let n = Int(req.params["n"]!)!
            res.send("ok")
            res.after {
                await gate.wait()
                order.withLock { $0.append(n) }
            }
        }])]))
        app.maxAfterResponse = 2
        let client = TestClient(app: app)
        for n in 0..<6 { _ = await client.request("POST", "/t/\(n)") }
        #expect(app.afterResponse.figures.running == 2)
        #expect(app.afterResponse.figures.waiting == 4)
        gate.open()
        await app.afterResponse.idle()
        #expect(order.withLock { $0.count } == 6)
        #expect(app.afterResponse.figures.completed == 6)
        // Those that waited started in the order they came.
        #expect(Array(order.withLock { $0 }.suffix(4)).sorted() == [2, 3, 4, 5])
    }

    @Test func cancellingEndsRunningAndWaitingWorkAndLogsIt() async throws {
        let sleeping = Atomic(false)
        var app = App(routes: RouteTable([Route("/t", handlers: ["POST": { _, res in
            res.send("ok")
            res.after {
                sleeping.store(true, ordering: .releasing)
                try await Task.sleep(for: .seconds(60))
            }
        }])]))
        app.maxAfterResponse = 1
        let client = TestClient(app: app)
        _ = await client.request("POST", "/t")
        _ = await client.request("POST", "/t")
        #expect(app.afterResponse.pending == 2)
        // The first is asleep in its work; the second waits for its slot.
        for _ in 0..<2_000 where !sleeping.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
        #expect(app.afterResponse.figures.running == 1 && app.afterResponse.figures.waiting == 1)
        app.afterResponse.cancelAll()
        await app.afterResponse.idle()
        #expect(app.afterResponse.figures.failed == 2)
        #expect(client.log.lines.contains { $0.contains("after-response work cancelled: the server is stopping") }, "\(client.log.lines)")
        #expect(client.log.lines.contains { $0.contains("after-response work cancelled before it started") }, "\(client.log.lines)")
    }

    @Test func anErrorIsLoggedWithTheRequest() async {
        struct Refused: Error {}
        let app = App(routes: RouteTable([Route("/t", handlers: ["POST": { _, res in
            res.send("ok")
            res.after { throw Refused() }
        }])]))
        let client = TestClient(app: app)
        _ = await client.request("POST", "/t")
        await app.afterResponse.idle()
        #expect(client.log.lines.contains { $0.contains("level=error") && $0.contains("path=/t") && $0.contains("after-response work failed: Refused()") }, "\(client.log.lines)")
        #expect(app.afterResponse.figures.failed == 1)
    }
}
