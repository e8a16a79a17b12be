@testable import NozzleFastCGI
import Synchronization
import Testing

struct StartupTests {
    @Test func malformedSizeLimitStopsTheAppNamingTheRoute() {
        let app = App(routes: RouteTable([
            Route("/api/upload", file: "api/upload.swift", config: RouteConfig(bodyParser: .init(sizeLimit: "12 parsecs")), handlers: ["POST": { _, _ in }]),
            Route("/api/fine", file: "api/fine.swift", config: RouteConfig(bodyParser: .init(sizeLimit: "1.5MB")), handlers: ["POST": { _, _ in }]),
            Route("/api/form", file: "api/form.swift", config: RouteConfig(bodyParser: .init(parameterLimit: 0, partHeaderSizeLimit: "lots")), handlers: ["POST": { _, _ in }]),
        ]))
        #expect(app.configurationErrors == [
            "api/upload.swift: invalid bodyParser.sizeLimit \"12 parsecs\": use a byte count or a size such as \"500kb\" or \"1mb\"",
            "api/form.swift: invalid bodyParser.partHeaderSizeLimit \"lots\": use a byte count or a size such as \"500kb\" or \"1mb\"",
            "api/form.swift: invalid bodyParser.parameterLimit 0: it must be at least 1",
        ])
        #expect(app.run(arguments: [], environment: [:]) == 1)
    }

    @Test func startUpWorkRunsBeforeServingAndItsErrorStopsTheApp() {
        struct NoDatabase: Error {}
        let runs = Counter()
        var app = App(routes: RouteTable([Route("/api/x", handlers: ["GET": { _, res in res.send("x") }])]))
        app.onStart { runs.increment() }
        app.onStart { throw NoDatabase() }
        // Commands that only print do not start the app.
        #expect(app.run(arguments: ["routes"], environment: [:]) == 0)
        #expect(runs.value == 0)
        // call answers requests, so the start-up work runs first, and its error stops it.
        #expect(app.run(arguments: ["call", "GET", "/api/x"], environment: [:]) == 1)
        #expect(runs.value == 1)
        // So does a CGI request.
        #expect(app.run(arguments: [], environment: ["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/api/x"]) == 1)
        #expect(runs.value == 2)
    }

    @Test(arguments: [
        ("127.0.0.1:9000", ListenAddress.tcp(host: "127.0.0.1", port: 9000)),
        ("[::1]:9000", .tcp(host: "::1", port: 9000)),
        (":9000", .tcp(host: nil, port: 9000)),
        ("unix:/run/app.sock", .unix(path: "/run/app.sock")),
    ])
    func parsesListenAddresses(text: String, address: ListenAddress) throws {
        #expect(try ListenAddress(parsing: text) == address)
        #expect(address.description == text)
    }

    @Test(arguments: ["9000", "host:", "host:99999", "unix:", "[::1]:x"])
    func rejectsBadListenAddresses(text: String) {
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress(parsing: text) }
    }

    @Test func badOptionsExit2() {
        let app = App(routes: RouteTable([]))
        #expect(app.run(arguments: ["--workers", "0"], environment: [:]) == 2)
        #expect(app.run(arguments: ["--frobnicate"], environment: [:]) == 2)
        #expect(app.run(arguments: ["deploy"], environment: [:]) == 2)
    }
}

/// A count that start-up closures can bump.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
