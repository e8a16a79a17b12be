import Nozzle
import NozzleTesting
import Testing

func client(config: RouteConfig = RouteConfig(), configure: (inout App) -> Void = { _ in }, _ handler: @escaping Handler) -> TestClient {
    var app = App(routes: RouteTable([Route("/t", config: config, handlers: ["*": handler])]))
    configure(&app)
    return TestClient(app: app)
}

struct RequestTests {
    @Test func cookiesAreParsedOnFirstUse() async {
        let response = await client { req, res in res.json(.object(JSONObject(req.cookies.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))) }
            .request("GET", "/t", headers: [("Cookie", "a=1; session=abc%20def; a=2; quoted=\"x y\"")])
        #expect(response.json == ["a": "1", "quoted": "x y", "session": "abc def"])
    }

    @Test(arguments: [
        ("application/json; charset=utf-8", "json", true), ("application/json", "application/json", true),
        ("application/ld+json", "+json", true), ("text/html", "text/*", true), ("text/html", "html", true),
        ("application/x-www-form-urlencoded", "urlencoded", true), ("multipart/form-data; boundary=x", "multipart", true),
        ("text/plain", "json", false), ("", "json", false),
    ])
    func isMatchesTheContentType(contentType: String, type: String, matches: Bool) async {
        let headers = contentType.isEmpty ? [] : [("Content-Type", contentType)]
        let response = await client(config: RouteConfig(bodyParser: false)) { req, res in res.json(.bool(req.is(type))) }
            .request("POST", "/t", headers: headers, body: [1])
        #expect(response.json == .bool(matches))
    }

    @Test func aContentLengthOfMinusOneIsABodyOfUnknownLength() async throws {
        // Caddy streams a chunked body with CONTENT_LENGTH=-1.
        let response = await client { req, res in
            res.json([
                "contentLength": req.contentLength.map { .int($0) } ?? .null, "hasBody": .bool(req.hasBody),
                "lengthHeader": req.headers["Content-Length"].map(JSON.string) ?? .null,
                "transferEncoding": req.headers["Transfer-Encoding"].map(JSON.string) ?? .null, "body": req.body.json ?? .null,
            ])
        }.request("POST", "/t", headers: [("Content-Type", "application/json")], body: Array(#"{"a":1}"#.utf8), contentLength: "-1")
        #expect(response.json == ["contentLength": .null, "hasBody": true, "lengthHeader": .null, "transferEncoding": "chunked", "body": ["a": 1]])
        // Any other negative or malformed length is no length at all.
        let malformed = await client { req, res in res.json(["contentLength": req.contentLength.map { .int($0) } ?? .null]) }
            .request("POST", "/t", body: [], contentLength: "-5")
        #expect(malformed.json == ["contentLength": .null])
    }

    @Test func ipIgnoresForwardedForUnlessTheProxyIsTrusted() async {
        let handler: Handler = { req, res in res.send(req.ip ?? "none") }
        let headers = [("X-Forwarded-For", "203.0.113.9, 10.0.0.2")]
        let untrusted = await client(handler).request("GET", "/t", headers: headers)
        #expect(untrusted.text == "127.0.0.1")
        let trusted = await client(configure: { $0.trustedProxies = TrustedProxies(["127.0.0.1", "10.0.0.0/8"]) }, handler)
            .request("GET", "/t", headers: headers)
        #expect(trusted.text == "203.0.113.9")
        let ipv6 = await client(configure: { $0.trustedProxies = TrustedProxies(["::1", "fd00::/8"]) }, handler)
            .request("GET", "/t", headers: [("X-Forwarded-For", "198.51.100.7, fd00::5")], environment: ["REMOTE_ADDR": "::1"])
        #expect(ipv6.text == "198.51.100.7")
    }

    @Test func secureAndProtocolFollowHTTPS() async {
        let handler: Handler = { req, res in res.send("\(req.protocol) \(req.secure)") }
        #expect(await client(handler).request("GET", "/t", environment: ["HTTPS": "on"]).text == "https true")
        #expect(await client(handler).request("GET", "/t").text == "http false")
    }

    @Test func queryKeepsRepeatedValues() async {
        let response = await client { req, res in res.json(["first": .string(req.query["a"] ?? ""), "all": .array(req.query.all("a").map(JSON.string))]) }
            .request("GET", "/t?a=1&a=2&b")
        #expect(response.json == ["first": "1", "all": ["1", "2"]])
    }

    @Test func cookieAndClearCookieAddOneSetCookieEach() async {
        let response = await client { _, res in
            res.cookie("session", "a b;c", CookieOptions(maxAge: 60, httpOnly: true, sameSite: .lax))
                .cookie("theme", "dark")
                .clearCookie("old")
                .send("ok")
        }.request("GET", "/t")
        let cookies = response.headers.all("Set-Cookie")
        #expect(cookies.count == 3)
        // In the order Express's cookie package writes attributes.
        #expect(cookies[0].hasPrefix("session=a%20b%3Bc; Max-Age=60; Path=/; Expires="))
        #expect(cookies[0].hasSuffix(" GMT; HttpOnly; SameSite=Lax"))
        #expect(cookies[1] == "theme=dark; Path=/")
        #expect(cookies[2] == "old=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    }
}

struct DecodingTests {
    struct Address: Decodable { var zip: String }
    struct CreateUser: Decodable {
        var name: String
        var email: String
        var age: Int?
        var admin: Bool?
        var tags: [String]?
        var address: Address?
    }

    func decode(_ body: String, type: String = "application/json") async -> TestResponse {
        await client { req, res in
            let user = try req.body.decode(CreateUser.self)
            res.json(["name": .string(user.name), "age": user.age.map(JSON.int) ?? .null, "admin": user.admin.map(JSON.bool) ?? .null])
        }.request("POST", "/t", headers: [("Content-Type", type)], body: Array(body.utf8))
    }

    @Test func decodesValidBodies() async {
        #expect(await decode(#"{"name":"Ada","email":"a@x","age":36}"#).json == ["name": "Ada", "age": 36, "admin": nil])
        // Form fields are strings; numbers and booleans still decode.
        #expect(await decode("name=Ada&email=a%40x&age=36&admin=on", type: "application/x-www-form-urlencoded").json == ["name": "Ada", "age": 36, "admin": true])
    }

    @Test(arguments: [
        (#"{"name":"Ada"}"#, "email", "is required"),
        (#"{"name":"Ada","email":7}"#, "email", "expected a string"),
        (#"{"name":"Ada","email":"a","age":"old"}"#, "age", "expected an integer"),
        (#"{"name":"Ada","email":"a","tags":["x",3]}"#, "tags[1]", "expected a string"),
        (#"{"name":"Ada","email":"a","address":{}}"#, "address.zip", "is required"),
        (#"{"name":null,"email":"a"}"#, "name", "must not be null"),
    ])
    func failuresAre400NamingTheField(body: String, field: String, reason: String) async {
        let response = await decode(body)
        #expect(response.status == 400)
        #expect(response.json == ["error": "Invalid request body", "field": .string(field), "reason": .string(reason)])
    }

    @Test func emptyBodyIs400() async {
        let response = await decode("")
        #expect(response.status == 400)
        #expect(response.json?["reason"] == "the body is empty")
    }
}

struct StreamingBodyTests {
    let route = RouteConfig(bodyParser: false)

    func count(limit: SizeLimit?) -> Handler {
        { req, res in
            var total = 0
            var chunks = 0
            for try await chunk in req.bodyStream(limit: limit) {
                total += chunk.count
                chunks += 1
            }
            res.json(["bytes": .int(total), "parsed": .bool(req.body.kind != "none")])
        }
    }

    @Test func streamsAnySizeWithoutALimit() async {
        let response = await client(config: route, count(limit: nil)).request("POST", "/t", body: [UInt8](repeating: 1, count: 3_000_000))
        #expect(response.json == ["bytes": 3_000_000, "parsed": false])
    }

    @Test func aLimitTheHandlerSetsIsEnforced() async {
        let response = await client(config: route, count(limit: "1kb")).request("POST", "/t", body: [UInt8](repeating: 1, count: 1025), contentLength: .some(nil))
        #expect(response.status == 413)
        #expect(response.json == ["error": "Body exceeded 1kb limit"])
        let exact = await client(config: route, count(limit: "1kb")).request("POST", "/t", body: [UInt8](repeating: 1, count: 1024))
        #expect(exact.json?["bytes"] == 1024)
    }
}
