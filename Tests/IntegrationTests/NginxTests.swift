import Foundation
import Nozzle
import Testing

/// The examples and the fixture app behind real nginx, through the shipped config.
@Suite(.serialized)
struct NginxTests {
    @Test func helloAnswersThroughNginx() throws {
        let stack = try NginxFrontedApp(binary: "hello")
        let hello = try stack.get("/api/hello")
        #expect(hello.status == 200)
        #expect(hello.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(hello.body == #"{"message":"Hello, World!"}"#)

        let head = try stack.request("HEAD", "/api/hello")
        #expect(head.status == 200)
        #expect(head.headers["Content-Length"] == "27")

        let created = try stack.request("POST", "/api/users", headers: ["Content-Type: application/json"], body: #"{"name":"Ada"}"#)
        #expect(created.status == 201)
        #expect(created.json == ["received": ["name": "Ada"]])

        let missing = try stack.get("/api/nothing")
        #expect(missing.status == 404)
        #expect(missing.json == ["error": "Not found"])
    }

    /// The seed's zod example, `api/posts.swift`: a body breaking both rules gets one 400 listing
    /// both, a form as well as JSON, and the document says what the route takes.
    @Test func helloValidatesAPostAsZodWould() throws {
        let stack = try NginxFrontedApp(binary: "hello", arguments: ["--openapi-path", "/api/_openapi"])
        let post = #"{"title":"Validate All Input","content":"Never trust client data."}"#
        let created = try stack.request("POST", "/api/posts", headers: ["Content-Type: application/json"], body: post)
        #expect(created.status == 201)
        #expect(created.json?["title"] == "Validate All Input")

        let refused = try stack.request("POST", "/api/posts", headers: ["Content-Type: application/json"], body: #"{"title":"","content":""}"#)
        #expect(refused.status == 400)
        #expect(refused.json?["error"] == "Invalid request body")
        #expect(refused.json?["issues"] == [
            ["path": ["title"], "field": "title", "code": "too_small", "message": "String must contain at least 1 character(s)"],
            ["path": ["content"], "field": "content", "code": "too_small", "message": "String must contain at least 1 character(s)"],
        ])
        let long = "title=\(String(repeating: "x", count: 201))"
        let form = try stack.request("POST", "/api/posts", headers: ["Content-Type: application/x-www-form-urlencoded"], body: long)
        #expect(form.json?["issues"]?.arrayValue?.map { $0["code"]?.stringValue ?? "" } == ["too_big", "invalid_type"])

        let document = try #require(try stack.get("/api/_openapi").json)
        let schema = document["paths"]?["/api/posts"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]
        #expect(schema?["properties"]?["title"] == ["type": "string", "minLength": 1, "maxLength": 200])
        #expect(document["paths"]?["/api/posts"]?["post"]?["responses"]?["400"] == ["$ref": "#/components/responses/BadRequest"])

        // Its optional slug follows a pattern, as zod's `.regex()`; the document says which.
        #expect(schema?["properties"]?["slug"]?["pattern"] == "^[a-z0-9]+(?:-[a-z0-9]+)*$")
        let slugged = try stack.request("POST", "/api/posts", headers: ["Content-Type: application/json"], body: #"{"title":"t","content":"c","slug":"validate-all-input"}"#)
        #expect(slugged.status == 201)
        let badSlug = try stack.request("POST", "/api/posts", headers: ["Content-Type: application/json"], body: #"{"title":"t","content":"c","slug":"Validate All--Input"}"#)
        #expect(badSlug.status == 400)
        #expect(badSlug.json?["issues"] == [
            ["path": ["slug"], "field": "slug", "code": "invalid_string", "message": "String must match the pattern ^[a-z0-9]+(?:-[a-z0-9]+)*$"],
        ])
    }

    @Test func theTCPConfigReachesAnAppOnALoopbackPort() throws {
        let stack = try NginxFrontedApp(binary: "hello", overTCP: true)
        #expect(stack.socket.hasPrefix("127.0.0.1:"))
        #expect(try String(contentsOf: stack.directory.appending(path: "server.conf"), encoding: .utf8).contains("server \(stack.socket);"))
        let hello = try stack.get("/api/hello")
        #expect(hello.status == 200)
        #expect(hello.body == #"{"message":"Hello, World!"}"#)
        let upload = try stack.file(size: 3 << 20)
        let created = try stack.request("POST", "/api/users", headers: ["Content-Type: application/json"], bodyFile: upload)
        // Above the route's 1mb limit: the app's JSON 413, not nginx's HTML one.
        #expect(created.status == 413)
        #expect(created.json == ["error": "Body exceeded 1mb limit"])
        #expect(stack.app?.stderr.contains("serving FastCGI on \(stack.socket)") == true)
    }

    @Test func blitzSeedRoutesThroughNginx() throws {
        let stack = try NginxFrontedApp(binary: "blitz")
        #expect(try stack.get("/api/hello").json == ["name": "John Doe"])
        #expect(try stack.get("/api/post/abc").body == "Post: abc")
        #expect(try stack.get("/api/post/a/b/c").body == "Post: a, b, c")
        #expect(try stack.get("/api/post/create").body == "create")
        #expect(try stack.get("/api/optional").body == "{}")
        #expect(try stack.get("/api/optional/a").body == #"{"slug":["a"]}"#)
        #expect(try stack.get("/api/optional/a/b").body == #"{"slug":["a","b"]}"#)
        #expect(try stack.get("/api/post/a%2Fb").body == "Post: a/b")
        // Its `handler` routes serve GET alone (`RouteConfig(methods: [.GET])`), as its document says.
        let delete = try stack.request("DELETE", "/api/post/abc")
        #expect(delete.status == 405)
        #expect(delete.headers["Allow"] == "GET, HEAD")
    }

    @Test func requestCarriesParamsHeadersAndRepeatedCookies() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app")
        let result = try stack.request("POST", "/api/env?x=1&x=2", headers: ["X-Trace: abc", "Content-Type: text/plain"], body: "12345")
        let json = try #require(result.json)
        #expect(json["method"] == "POST")
        #expect(json["path"] == "/api/env")
        #expect(json["url"] == "/api/env?x=1&x=2")
        #expect(json["query"] == ["x": ["1", "2"]])
        #expect(json["headers"]?["X-Trace"] == "abc")
        #expect(json["headers"]?["Host"] == "127.0.0.1")
        #expect(json["remoteAddress"] == "127.0.0.1")
        #expect(json["serverProtocol"] == "HTTP/1.1")
        #expect(json["bodyBytes"] == 5)
        // nginx's $request_id, passed by the shipped config, becomes the request id.
        #expect(json["id"]?.stringValue?.count == 32)
        #expect(result.headers.all("Set-Cookie") == ["a=1", "b=2"])
    }

    @Test func throwingHandlerIs500AndLoggedToStderrAndNginx() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--log-to-fastcgi-stderr"])
        let result = try stack.get("/api/boom")
        #expect(result.status == 500)
        #expect(result.json == ["error": "Internal server error"])
        // The same app keeps answering.
        #expect(try stack.get("/api/env").status == 200)
        let app = try #require(stack.app)
        #expect(eventually { app.stderr.contains("method=GET path=/api/boom") && app.stderr.contains("Explosion") })
        #expect(eventually { stack.errorLog.contains("FastCGI sent in stderr") && stack.errorLog.contains("path=/api/boom") })
    }

    @Test func streamedChunksReachTheClientAsWritten() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app")
        let client = try RawHTTPClient(port: stack.port)
        client.send("GET /api/stream?n=3&ms=800 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        // The first event arrives while the handler is still sleeping before the next one.
        let first = client.read(until: "data: 0", timeout: 5)
        #expect(first.text.contains("data: 0"))
        #expect(!first.text.contains("data: 1"))
        #expect(first.seconds < 0.6)
        #expect(first.text.contains("Content-Type: text/event-stream"))
        let rest = client.read(until: "data: 2", timeout: 5)
        #expect(rest.text.contains("data: 2"))
        #expect(rest.seconds > 1.2)
    }

    @Test(arguments: [1, 17, 64, 1000, 5000])
    func largeBodiesArriveWhole(kilobytes: Int) throws {
        let stack = try NginxFrontedApp(binary: "fixture-app")
        for _ in 0..<2 {
            let result = try stack.get("/api/big?kb=\(kilobytes)")
            #expect(result.status == 200)
            #expect(result.body.utf8.count == kilobytes * 1024)
            #expect(result.body.hasPrefix("0123456789abcdef0123"))
            #expect(result.body.hasSuffix("0123456789abcdef"))
            #expect(result.headers["Content-Length"] == String(kilobytes * 1024))
        }
    }

    @Test func slowRequestsDoNotHoldUpOthersOnKeptConnections() throws {
        // Two workers; two slow requests in flight; quick requests still answer promptly because no
        // worker thread waits on an idle kept connection.
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--workers", "3"])
        let group = DispatchGroup()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) { _ = try? stack.get("/api/slow?ms=1500") }
        }
        usleep(200_000)
        var fastest = Double.infinity
        for _ in 0..<20 {
            let result = try stack.get("/api/env")
            #expect(result.status == 200)
            fastest = min(fastest, result.totalTime)
        }
        #expect(fastest < 0.5)
        group.wait()
    }
}
