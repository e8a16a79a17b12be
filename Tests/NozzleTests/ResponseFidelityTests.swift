import Nozzle
import NozzleTesting
import Testing

/// What Express 5 and Next.js users expect of `res`: status codes, types and charsets, redirects,
/// cookies, and the response size warning. The expected values are those of their own tests.
struct ResponseFidelityTests {
    func client(config: RouteConfig = RouteConfig(), _ handler: @escaping Handler) -> TestClient {
        TestClient(app: App(routes: RouteTable([Route("/t", file: "api/t.swift", config: config, handlers: ["*": handler])])))
    }

    // MARK: - Status codes

    @Test(arguments: [1000, 99, 0, -1, 1_000_000])
    func aStatusOutOfRangeIs500AndLogged(code: Int) async {
        let client = client { _, res in res.status(code).json(["ok": true]) }
        let response = await client.request("GET", "/t")
        #expect(response.status == 500)
        #expect(response.json == ["error": "Internal server error"])
        #expect(client.log.lines.contains { $0.contains("res.status(\(code)): a status code must be from 100 to 999") })
    }

    @Test func theEdgesOfTheRangeAreFine() async {
        #expect(await client { _, res in res.status(999).send("x") }.request("GET", "/t").status == 999)
        #expect(await client { _, res in res.status(101).end() }.request("GET", "/t").status == 101)
    }

    @Test(arguments: [(200, "OK"), (404, "Not Found"), (418, "I'm a Teapot"), (425, "Too Early"), (599, "599"), (299, "299")])
    func sendStatusSendsTheMessageOrTheNumber(code: Int, body: String) async {
        let response = await client { _, res in res.sendStatus(code) }.request("GET", "/t")
        #expect(response.status == code)
        #expect(response.text == body)
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
    }

    @Test func status205SendsNoBodyAndContentLengthZero() async {
        let response = await client { _, res in res.status(205).send("ignored") }.request("GET", "/t")
        #expect(response.status == 205)
        #expect(response.body.isEmpty)
        #expect(response.headers["Content-Length"] == "0")
    }

    @Test(arguments: [204, 304])
    func status204And304StripTheEntityHeaders(code: Int) async {
        let response = await client { _, res in
            res.setHeader("Content-Type", "text/plain").setHeader("Content-Length", "5").setHeader("Transfer-Encoding", "chunked")
            res.status(code).send("hello")
        }.request("GET", "/t")
        #expect(response.status == code)
        #expect(response.body.isEmpty)
        for name in ["Content-Type", "Content-Length", "Transfer-Encoding"] { #expect(response.headers[name] == nil, "\(name)") }
    }

    // MARK: - Content-Type and charset

    @Test(arguments: [
        ("text/plain", "text/plain; charset=utf-8"),
        ("text/plain; charset=iso-8859-1", "text/plain; charset=utf-8"),
        // Express keeps the other parameters where they are and puts a new charset last.
        ("text/plain; foo=bar", "text/plain; foo=bar; charset=utf-8"),
        ("text/HTML; foo=bar", "text/html; foo=bar; charset=utf-8"),
        ("application/vnd.api+json; z=1; a=\"b c\"", "application/vnd.api+json; z=1; a=\"b c\"; charset=utf-8"),
        ("text/plain; charset=iso-8859-1; foo=bar", "text/plain; charset=utf-8; foo=bar"),
        ("text/plain; Foo=\"bar\"; CHARSET=latin1", "text/plain; foo=bar; charset=utf-8"),
        // Parameters that do not parse are dropped, as Express does.
        ("text/plain; foo", "text/plain; charset=utf-8"),
        ("text/plain; foo=\"open", "text/plain; charset=utf-8"),
    ])
    func textAndJSONMakeTheCharsetUTF8(set: String, sent: String) async {
        let text = await client { _, res in res.setHeader("Content-Type", set).send("hi") }.request("GET", "/t")
        #expect(text.headers["Content-Type"] == sent)
        let json = await client { _, res in res.setHeader("Content-Type", set).json(["a": 1]) }.request("GET", "/t")
        #expect(json.headers["Content-Type"] == sent)
    }

    @Test func bytesKeepTheirType() async {
        let response = await client { _, res in res.setHeader("Content-Type", "image/png").send([1, 2]) }.request("GET", "/t")
        #expect(response.headers["Content-Type"] == "image/png")
    }

    @Test(arguments: [
        ("json", "application/json; charset=utf-8"), ("html", "text/html; charset=utf-8"), (".html", "text/html; charset=utf-8"),
        ("foo.js", "text/javascript; charset=utf-8"), ("txt", "text/plain; charset=utf-8"), ("png", "image/png"),
        ("application/x-foo", "application/x-foo"), ("text/x-foo", "text/x-foo; charset=utf-8"),
        ("nosuchextension", "application/octet-stream"), ("report.csv", "text/csv; charset=utf-8"),
    ])
    func typeResolvesAsExpressDoes(type: String, contentType: String) async {
        let response = await client { _, res in res.type(type).send([1]) }.request("GET", "/t")
        #expect(response.headers["Content-Type"] == contentType)
    }

    // MARK: - Redirects

    @Test(arguments: [
        ("/foo bar", "/foo%20bar"), ("/caf%C3%A9", "/caf%C3%A9"), ("/☃", "/%E2%98%83"), ("/a?b=<c>", "/a?b=%3Cc%3E"),
        ("/100%", "/100%25"), ("/%zz", "/%25zz"), ("http://x.example/a#top", "http://x.example/a#top"), (#"/"q""#, "/%22q%22"),
    ])
    func locationEncodesAsEncodeurl(url: String, encoded: String) async {
        let response = await client { _, res in res.location(url).end() }.request("GET", "/t")
        #expect(response.headers["Location"] == encoded)
    }

    @Test func redirectBodiesAreNegotiatedAsExpress5Does() async {
        let redirect = client { _, res in res.redirect("/login?next=<a>") }
        let html = await redirect.request("GET", "/t", headers: [("Accept", "text/html")])
        #expect(html.status == 302)
        #expect(html.headers["Location"] == "/login?next=%3Ca%3E")
        #expect(html.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(html.text == "<!DOCTYPE html><head><title>Found</title></head><body><p>Found. Redirecting to /login?next=%3Ca%3E</p></body>")
        #expect(html.headers["Vary"] == "Accept")
        let text = await redirect.request("GET", "/t", headers: [("Accept", "text/plain")])
        #expect(text.text == "Found. Redirecting to /login?next=%3Ca%3E")
        #expect(text.headers["Content-Type"] == "text/plain; charset=utf-8")
        // No Accept at all: the first kind, text.
        #expect(await redirect.request("GET", "/t").text == "Found. Redirecting to /login?next=%3Ca%3E")
        // Neither acceptable: an empty body and no type.
        let json = await redirect.request("GET", "/t", headers: [("Accept", "application/json")])
        #expect(json.body.isEmpty)
        #expect(json.headers["Content-Type"] == nil)
        #expect(json.headers["Content-Length"] == "0")
        // HTML in the URL is escaped in the page.
        let quoted = await client { _, res in res.redirect(301, "/a'b") }.request("GET", "/t", headers: [("Accept", "text/html")])
        #expect(quoted.status == 301)
        #expect(quoted.text.contains("Moved Permanently. Redirecting to /a&#39;b"))
    }

    @Test func nextRedirectIsNextJss307WithTheURLAsBody() async {
        let response = await client { _, res in res.nextRedirect("/dest ination") }.request("GET", "/t")
        #expect(response.status == 307)
        #expect(response.headers["Location"] == "/dest ination")
        #expect(response.text == "/dest ination")
        let permanent = await client { _, res in res.nextRedirect(308, "/x") }.request("GET", "/t")
        #expect(permanent.status == 308)
    }

    // MARK: - Cookies

    @Test func cookieParsingTrimsSpacesAndTabs() async {
        let response = await client { req, res in res.json(.object(JSONObject(req.cookies.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))) }
            .request("GET", "/t", headers: [("Cookie", "\ta = 1\t;  b=\t\"two\"\t ; c=%zz; d=%E2%98%83")])
        #expect(response.json == ["a": "1", "b": "two", "c": "%zz", "d": "☃"])
    }

    @Test func partitionedAndPriorityCookies() async {
        let response = await client { _, res in
            res.cookie("id", "1", CookieOptions(secure: true, sameSite: .none, partitioned: true, priority: .high)).end()
        }.request("GET", "/t")
        #expect(response.headers["Set-Cookie"] == "id=1; Path=/; Secure; Partitioned; Priority=High; SameSite=None")
    }

    // MARK: - Response size

    @Test func aResponsePastTheLimitIsLoggedNamingTheRoute() async {
        let big = client { _, res in res.send([UInt8](repeating: 1, count: 5 << 20)) }
        let response = await big.request("GET", "/t")
        #expect(response.body.count == 5 << 20)
        #expect(big.log.lines.contains { $0.contains("API response for /t exceeds 4mb") && $0.contains("api/t.swift") })
        let small = client { _, res in res.send([UInt8](repeating: 1, count: 1000)) }
        _ = await small.request("GET", "/t")
        #expect(!small.log.lines.contains { $0.contains("exceeds") })
        // A route sets its own limit, or none.
        let custom = client(config: RouteConfig(responseLimit: "1kb")) { _, res in res.write([UInt8](repeating: 1, count: 600)); res.write([UInt8](repeating: 1, count: 600)); res.end() }
        _ = await custom.request("GET", "/t")
        #expect(custom.log.lines.contains { $0.contains("exceeds 1kb") })
        let none = client(config: RouteConfig(responseLimit: nil)) { _, res in res.send([UInt8](repeating: 1, count: 5 << 20)) }
        _ = await none.request("GET", "/t")
        #expect(!none.log.lines.contains { $0.contains("exceeds") })
    }

    // MARK: - The reason phrase

    @Test func statusMessageSetsTheReasonPhraseAsNextJsDoes() async {
        let custom = await client { _, res in
            res.status(400)
            res.statusMessage = "Invalid JSON"
            res.end("Invalid JSON")
        }.request("GET", "/t")
        #expect(custom.status == 400)
        #expect(custom.statusMessage == "Invalid JSON")
        #expect(custom.text == "Invalid JSON")
        let standard = await client { _, res in res.status(404).json(["error": "gone"]) }.request("GET", "/t")
        #expect(standard.statusMessage == "Not Found")
    }

    /// The header block is written into room measured ahead: a long reason, many long fields, and
    /// values whose CR and LF become spaces all go out whole, whatever their size.
    @Test(arguments: [0, 1, 300])
    func aHeaderBlockOfAnySizeGoesOutWhole(fields: Int) async {
        let phrase = String(repeating: "Long reason ", count: fields * 10 + 1)
        let response = await client { _, res in
            res.status(299)
            res.statusMessage = phrase
            for index in 0..<fields {
                res.setHeader("X-Field-\(index)", String(repeating: "v", count: index + 1) + (index % 2 == 0 ? "\r\nX-Split: 1" : ""))
            }
            res.send(String(repeating: "b", count: fields))
        }.request("GET", "/t")
        #expect(response.status == 299)
        #expect(response.statusMessage == phrase)
        for index in 0..<fields {
            #expect(response.headers["X-Field-\(index)"] == String(repeating: "v", count: index + 1) + (index % 2 == 0 ? "  X-Split: 1" : ""))
        }
        #expect(response.headers["X-Split"] == nil)
        #expect(response.text == String(repeating: "b", count: fields))
        #expect(response.headers["Content-Length"] == String(fields))
    }

    /// A phrase that could split the header block is refused, as Node refuses it, and logged.
    @Test(arguments: ["Bad\r\nSet-Cookie: a=1", "Caf\u{E9}", "tab\u{7F}"])
    func aReasonPhraseWithForbiddenCharactersIsNotSent(phrase: String) async {
        let client = client { _, res in
            res.status(409)
            res.statusMessage = phrase
            res.json(["error": "conflict"])
        }
        let response = await client.request("GET", "/t")
        #expect(response.status == 409)
        #expect(response.statusMessage == "Conflict")
        #expect(response.headers["Set-Cookie"] == nil)
        #expect(client.log.lines.contains { $0.contains("res.statusMessage") })
    }
}
