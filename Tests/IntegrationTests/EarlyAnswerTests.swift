import Foundation
import Testing

/// A route that answers before its body has arrived (a 413 at the first bytes over its limit),
/// behind every front server the deployment guide names, with connections kept where the server
/// keeps them. The answer must reach the client at once, and the server must go on serving: h2o
/// aborts when END_REQUEST arrives on a kept connection it is still writing the body to.
@Suite(.serialized)
struct EarlyAnswerTests {
    /// 600 KB and 100 MB bodies to the fixture's 500kb route, twice each, with requests between:
    /// every one is the app's 413, the server still answers after each, and the app logs no error.
    func expectEarlyAnswers(
        through request: (String, String, [String], URL?) throws -> HTTPResult, in directory: URL, app: RunningProcess,
        keptConnectionsSurvive: Bool, passesReasonPhrase: Bool = false, serverLog: () -> String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let small = try Upload.file(size: 600_000, at: directory.appending(path: "upload-600k"))
        let large = try Upload.file(size: 100_000_000, at: directory.appending(path: "upload-100m"))
        for round in 1...2 {
            for (name, upload) in [("600 KB", small), ("100 MB", large)] {
                #expect(try request("GET", "/api/version", [], nil).status == 200, "round \(round), before \(name): \(serverLog())", sourceLocation: sourceLocation)
                let before = ShippedConfig.socketInodes(of: app.pid)
                let answered = try request("POST", "/api/items", ["Content-Type: text/plain"], upload)
                #expect(answered.status == 413, "round \(round), \(name): \(answered.status) \(answered.body) \(serverLog())", sourceLocation: sourceLocation)
                #expect(answered.body == #"{"error":"Body exceeded 500kb limit"}"#, sourceLocation: sourceLocation)
                // nginx passes the app's reason phrase on, as Next.js words it.
                if passesReasonPhrase {
                    #expect(answered.reason == "Body exceeded 500kb limit", sourceLocation: sourceLocation)
                }
                for _ in 0..<3 {
                    #expect(try request("GET", "/api/version", [], nil).status == 200, "round \(round), after \(name): \(serverLog())", sourceLocation: sourceLocation)
                }
                // A body a little over the limit is read to its end, and the connection it came on
                // carries the next requests: no socket of the app's closed.
                if keptConnectionsSurvive && upload == small {
                    let after = ShippedConfig.socketInodes(of: app.pid)
                    #expect(before.isSubset(of: after), "a kept connection closed after a 600 KB early answer: \(before) then \(after)", sourceLocation: sourceLocation)
                }
            }
        }
        #expect(!app.stderr.contains("level=error"), "\(app.stderr)", sourceLocation: sourceLocation)
    }

    @Test(arguments: [false, true])
    func nginx(unbuffered: Bool) throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", extraLocationDirectives: unbuffered ? " fastcgi_request_buffering off;" : "")
        let app = try #require(stack.app)
        try expectEarlyAnswers(
            through: { try stack.request($0, $1, headers: $2, bodyFile: $3) }, in: stack.directory, app: app,
            // nginx stops sending a body once it has the answer (buffered), or once its client
            // stops (unbuffered: curl does at the 413), and does not keep a connection whose
            // request it did not send whole: it closes that one itself, after END_REQUEST.
            keptConnectionsSurvive: false, passesReasonPhrase: true, serverLog: { stack.errorLog })
        print("nginx (\(unbuffered ? "fastcgi_request_buffering off" : "buffered")) error log after early answers:\n\(stack.errorLog.split(separator: "\n").filter { !$0.contains("[info]") }.joined(separator: "\n"))")
    }

    /// A front server started from its shipped file, in front of the fixture app.
    func expectEarlyAnswers(
        shipped path: String, replacing: (URL) -> [String: String] = { _ in [:] }, keptConnectionsSurvive: Bool = false,
        start: (String, URL) throws -> FrontServer, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (app, socket) = try ShippedConfig.appOnSocket(in: directory)
        let config = try ShippedConfig.text(path, replacing: replacing(directory).merging(["/run/nozzle/app.sock": socket]) { $1 })
        let server = try start(config, directory)
        try expectEarlyAnswers(
            through: { try server.request($0, $1, headers: $2, bodyFile: $3) }, in: directory, app: app,
            keptConnectionsSurvive: keptConnectionsSurvive, serverLog: { server.errorLog }, sourceLocation: sourceLocation)
        #expect(server.process.waitForExit(timeout: 0) == nil, "the front server exited: \(server.errorLog)", sourceLocation: sourceLocation)
    }

    @Test func h2oWithKeptConnections() throws {
        let config = try String(contentsOf: Paths.root.appending(path: "deploy/h2o/h2o.conf"), encoding: .utf8)
        #expect(config.contains("fastcgi.timeout.keepalive"))
        try expectEarlyAnswers(shipped: "deploy/h2o/h2o.conf", keptConnectionsSurvive: true, start: FrontServer.h2o)
    }

    @Test func apacheWithEnableReuse() throws {
        try expectEarlyAnswers(shipped: "deploy/apache/nozzle-proxy-fcgi.conf", start: FrontServer.apache)
    }

    @Test func lighttpd() throws {
        try expectEarlyAnswers(shipped: "deploy/lighttpd/nozzle.conf", start: FrontServer.lighttpd)
    }

    @Test func caddy() throws {
        try expectEarlyAnswers(shipped: "deploy/caddy/Caddyfile", start: FrontServer.caddy)
    }

    @Test func haproxyWithKeepConn() throws {
        try expectEarlyAnswers(
            shipped: "deploy/haproxy/haproxy.cfg", replacing: { ["docroot /run/nozzle": "docroot \($0.path)"] }, keptConnectionsSurvive: true,
            start: FrontServer.haproxy)
    }
}
