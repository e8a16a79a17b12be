import Foundation
import Nozzle
import Testing

/// The deployment guide's configurations for Apache and lighttpd, shipped in `deploy/`, with real
/// servers from Debian's packages in front of the built binaries.
@Suite(.serialized)
struct WebServerDeploymentTests {
    /// A shipped file with its example paths replaced by this test's.
    func shipped(_ path: String, replacing replacements: [String: String]) throws -> String {
        var text = try String(contentsOf: Paths.root.appending(path: path), encoding: .utf8)
        for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
        return text
    }

    /// The fixture app on a unix socket the web server's user can reach.
    func appOnSocket(in directory: URL) throws -> (RunningProcess, String) {
        let socket = directory.appending(path: "app.sock").path
        let app = try RunningProcess(Paths.binary("fixture-app"), ["--listen", "unix:\(socket)", "--socket-mode", "0666"], in: directory)
        guard eventually({ FileManager.default.fileExists(atPath: socket) }) else { throw SetupError(what: "no socket: \(app.stderr)") }
        return (app, socket)
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

        let upload = server.directory.appending(path: "upload.txt")
        try Data(repeating: UInt8(ascii: "x"), count: 700_000).write(to: upload)
        let tooLarge = try server.request("POST", "/api/items", headers: ["Content-Type: text/plain"], bodyFile: upload)
        #expect(tooLarge.status == 413, sourceLocation: sourceLocation)
        #expect(tooLarge.body == #"{"error":"Body exceeded 500kb limit"}"#, sourceLocation: sourceLocation)
    }

    @Test func apacheProxyFCGI() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (app, socket) = try appOnSocket(in: directory)
        let snippet = try shipped("deploy/apache/nozzle-proxy-fcgi.conf", replacing: ["/run/nozzle/app.sock": socket])
        let apache = try FrontServer.apache(snippet, in: directory)
        try expectTheAppAnswers(through: apache)
        #expect(!app.stderr.contains("level=error"), "\(app.stderr)")
    }

    @Test func lighttpdFastCGIOnTheAppsSocket() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (app, socket) = try appOnSocket(in: directory)
        let snippet = try shipped("deploy/lighttpd/nozzle.conf", replacing: ["/run/nozzle/app.sock": socket])
        let lighttpd = try FrontServer.lighttpd(snippet, in: directory)
        try expectTheAppAnswers(through: lighttpd)
        #expect(!app.stderr.contains("level=error"), "\(app.stderr)")
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
