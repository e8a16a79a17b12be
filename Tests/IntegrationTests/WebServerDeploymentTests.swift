import Foundation
import Nozzle
import Testing

/// The deployment guide's configurations for Apache and lighttpd, shipped in `deploy/`, with real
/// servers from Debian's packages in front of the built binaries.
@Suite(.serialized)
struct WebServerDeploymentTests {
    func shipped(_ path: String, replacing replacements: [String: String]) throws -> String {
        try ShippedConfig.text(path, replacing: replacements)
    }

    /// What a user of the app notices through any front server: routing, query, bodies, repeated
    /// headers, JSON errors, and a 413 from the app rather than from the server.
    func expectTheAppAnswers(through server: FrontServer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let env = try server.request("GET", "/api/env?x=1&x=2")
        #expect(env.status == 200, "\(env.body) \(server.errorLog)", sourceLocation: sourceLocation)
        #expect(env.json?["path"] == "/api/env", sourceLocation: sourceLocation)
        #expect(env.json?["query"]?["x"] == ["1", "2"], sourceLocation: sourceLocation)
        #expect(env.headers.all("Set-Cookie") == ["a=1", "b=2"], sourceLocation: sourceLocation)

        let posted = try server.request("POST", "/api/env", headers: ["Content-Type: application/json"], body: #"{"name":"Ada"}"#)
        #expect(posted.json?["method"] == "POST", sourceLocation: sourceLocation)
        #expect(posted.json?["bodyBytes"]?.intValue == 14, sourceLocation: sourceLocation)

        let missing = try server.request("GET", "/api/nothing-here")
        #expect(missing.status == 404, sourceLocation: sourceLocation)
        #expect(missing.body == #"{"error":"Not found"}"#, sourceLocation: sourceLocation)

        // A chunked body (Caddy streams it with CONTENT_LENGTH=-1; the others buffer it).
        let chunked = try server.request("POST", "/api/env", headers: ["Content-Type: application/json"], body: #"{"name":"Ada"}"#, chunked: true)
        #expect(chunked.status == 200, "\(chunked.body) \(server.errorLog)", sourceLocation: sourceLocation)
        #expect(chunked.json?["bodyBytes"]?.intValue == 14, "\(chunked.body)", sourceLocation: sourceLocation)
        #expect(chunked.json?["headers"]?["Content-Length"] != "-1", sourceLocation: sourceLocation)
        // The CGI Status line is the response's status, not a header of it.
        #expect(env.headers["Status"] == nil, sourceLocation: sourceLocation)
        #expect(missing.headers["Status"] == nil, sourceLocation: sourceLocation)

        let upload = server.directory.appending(path: "upload.txt")
        try Data(repeating: UInt8(ascii: "x"), count: 700_000).write(to: upload)
        let tooLarge = try server.request("POST", "/api/items", headers: ["Content-Type: text/plain"], bodyFile: upload)
        #expect(tooLarge.status == 413, sourceLocation: sourceLocation)
        #expect(tooLarge.body == #"{"error":"Body exceeded 500kb limit"}"#, sourceLocation: sourceLocation)
    }

    /// The fixture app on a unix socket, behind `server` started from the shipped file at `path` with
    /// the socket's path (and `replacing`) put in; then what any front server must do, and `check`.
    func expectShipped(
        _ path: String, replacing: (URL) -> [String: String] = { _ in [:] }, start: (String, URL) throws -> FrontServer,
        check: (FrontServer) throws -> Void = { _ in }, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (app, socket) = try ShippedConfig.appOnSocket(in: directory)
        let config = try shipped(path, replacing: replacing(directory).merging(["/run/nozzle/app.sock": socket]) { $1 })
        let server = try start(config, directory)
        try expectTheAppAnswers(through: server, sourceLocation: sourceLocation)
        try check(server)
        #expect(!app.stderr.contains("level=error"), "\(app.stderr)", sourceLocation: sourceLocation)
    }

    @Test func apacheProxyFCGI() throws {
        try expectShipped("deploy/apache/nozzle-proxy-fcgi.conf", start: FrontServer.apache)
    }

    @Test func lighttpdFastCGIOnTheAppsSocket() throws {
        try expectShipped("deploy/lighttpd/nozzle.conf", start: FrontServer.lighttpd)
    }

    @Test func lighttpdStartsTheAppItselfWithBinPath() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let snippet = try shipped("deploy/lighttpd/nozzle.conf", replacing: [
            "/run/nozzle/app.sock": directory.appending(path: "app.sock").path,
            "# \"bin-path\" => \"/opt/nozzle-app/app\"": "\"bin-path\" => \"\(Paths.binary("fixture-app"))\"",
            "# \"max-procs\"": "\"max-procs\"",
        ])
        #expect(snippet.contains("\"bin-path\" => \"/"))
        do {
            let lighttpd = try FrontServer.lighttpd(snippet, in: directory)
            try expectTheAppAnswers(through: lighttpd)
            let version = try lighttpd.request("GET", "/api/version")
            let pid = try #require(version.json?["pid"]?.intValue)
            #expect(kill(Int32(pid), 0) == 0)
            lighttpd.process.signal(SIGTERM)
            #expect(lighttpd.process.waitForExit(timeout: 10) != nil)
            // lighttpd stops the app it started.
            #expect(eventually(timeout: 10) { kill(Int32(pid), 0) != 0 })
        }
    }

    @Test func caddyFastCGITransport() throws {
        try expectShipped("deploy/caddy/Caddyfile", start: FrontServer.caddy) { caddy in
            // Caddy's streamed chunked body reads as the client sent it.
            let chunked = try caddy.request("POST", "/api/env", headers: ["Content-Type: application/json"], body: #"{"a":1}"#, chunked: true)
            #expect(chunked.json?["headers"]?["Transfer-Encoding"] == "chunked", "\(chunked.body)")
        }
    }

    @Test func haproxyFCGIApp() throws {
        try expectShipped("deploy/haproxy/haproxy.cfg", replacing: { ["docroot /run/nozzle": "docroot \($0.path)"] }, start: FrontServer.haproxy)
    }

    @Test func h2oFastCGIConnect() throws {
        try expectShipped("deploy/h2o/h2o.conf", start: FrontServer.h2o)
    }

    @Test func haproxyBalancesOverAppHostsAndSkipsOneThatIsDown() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Two app "hosts" on loopback TCP ports, each letting only loopback in.
        let ports = [Paths.freePort(), Paths.freePort()]
        func startApp(_ index: Int) throws -> RunningProcess {
            try RunningProcess(Paths.binary("fixture-app"), ["--listen", "127.0.0.1:\(ports[index])", "--allow", "127.0.0.1"], in: directory)
        }
        var apps = [try startApp(0), try startApp(1)]
        let config = try shipped("deploy/haproxy/app-hosts.cfg", replacing: [
            "server app1 10.0.0.2:9000": "server app1 127.0.0.1:\(ports[0])", "server app2 10.0.0.3:9000": "server app2 127.0.0.1:\(ports[1])",
            "docroot /run/nozzle": "docroot \(directory.path)",
        ])
        let haproxy = try FrontServer.haproxy(config, in: directory)
        func pids(_ count: Int) throws -> [Int] {
            try (0..<count).map { _ in try haproxy.request("GET", "/api/version").json?["pid"]?.intValue ?? 0 }
        }
        #expect(eventually { Set((try? pids(6)) ?? []) == Set(apps.map { Int($0.pid) }) }, "both hosts serve")
        try expectTheAppAnswers(through: haproxy)
        // One host goes down: every request goes to the other, none fails.
        apps[0].signal(SIGKILL)
        _ = apps[0].waitForExit(timeout: 5)
        let whileDown = try (0..<30).map { _ in try haproxy.request("GET", "/api/version") }
        #expect(whileDown.allSatisfy { $0.status == 200 }, "\(whileDown.map(\.status))")
        #expect(Set(whileDown.compactMap { $0.json?["pid"]?.intValue }) == [Int(apps[1].pid)])
        let posted = try haproxy.request("POST", "/api/env", headers: ["Content-Type: application/json"], body: #"{"name":"Ada"}"#)
        #expect(posted.status == 200)
        // It comes back, and HAProxy's health check puts it back in the rotation.
        apps[0] = try startApp(0)
        #expect(eventually(timeout: 15) { ((try? pids(6)) ?? []).contains(Int(apps[0].pid)) }, "the host that came back serves again")
    }

    @Test func sharedHostingCGIUnderApacheModCGID() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The guide's steps: a static release build, copied into cgi-bin as app.cgi, mode 0755; the
        // shipped .htaccess in the document root; the host's usual cgi-bin and AllowOverride.
        let binary = try ExampleBuild.staticBinary("hello")
        #expect(try ExampleBuild.isStaticExecutable(binary))
        #expect(try !ExampleBuild.isStaticExecutable(Paths.binary("hello")))
        let cgiBin = directory.appending(path: "cgi-bin")
        try FileManager.default.createDirectory(at: cgiBin, withIntermediateDirectories: true)
        chmod(cgiBin.path, 0o755)
        try FileManager.default.copyItem(atPath: binary, toPath: cgiBin.appending(path: "app.cgi").path)
        chmod(cgiBin.appending(path: "app.cgi").path, 0o755)
        let apache = try FrontServer.apache("""
            ScriptAlias "/cgi-bin/" "\(cgiBin.path)/"
            <Directory "\(cgiBin.path)">
                Require all granted
            </Directory>
            <Directory "\(directory.path)/htdocs">
                AllowOverride FileInfo
                Require all granted
            </Directory>
            AccessFileName .htaccess
            """, in: directory)
        try FileManager.default.copyItem(
            at: Paths.root.appending(path: "deploy/apache/htaccess"), to: directory.appending(path: "htdocs/.htaccess"))

        for path in ["/api/hello", "/cgi-bin/app.cgi/api/hello"] {
            let hello = try apache.request("GET", path)
            #expect(hello.status == 200, "\(path): \(hello.body) \(apache.errorLog)")
            #expect(hello.body == #"{"message":"Hello, World!"}"#)
        }
        let created = try apache.request("POST", "/api/users", headers: ["Content-Type: application/json"], body: #"{"name":"Ada"}"#)
        #expect(created.status == 201)
        #expect(created.body == #"{"received":{"name":"Ada"}}"#)
        let missing = try apache.request("GET", "/api/nothing-here")
        #expect(missing.status == 404)
        #expect(missing.body == #"{"error":"Not found"}"#)
        let wrongMethod = try apache.request("DELETE", "/api/hello")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["Allow"] == "GET, HEAD")
    }
}
