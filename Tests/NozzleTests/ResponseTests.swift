import Nozzle
import NozzleTesting
import Testing

struct ResponseTests {
    func client(_ handler: @escaping Handler, path: String = "/t") -> TestClient {
        TestClient(app: App(routes: RouteTable([Route(path, handlers: ["*": handler])])))
    }

    @Test func headerBlockHasStatusTypeAndLength() async {
        let response = await client { _, res in res.status(201).json(["id": 3, "created": true]) }.request("POST", "/t")
        #expect(response.status == 201)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(response.headers["Content-Length"] == "23")
        #expect(response.text == #"{"id":3,"created":true}"#)
    }

    @Test func statusLineCarriesTheReasonPhrase() async throws {
        let sink = BufferedResponseSink()
        let log = RequestLog(method: "GET", path: "/", requestID: "1", writer: MemoryLogWriter())
        Response(sink: sink, log: log).status(201).send("x")
        let text = String(decoding: sink.bytes, as: UTF8.self)
        #expect(text.hasPrefix("Status: 201 Created\r\n"))
        #expect(text.hasSuffix("\r\n\r\nx"))
    }

    @Test func repeatedHeadersStayRepeated() async {
        let response = await client { _, res in
            res.appendHeader("Set-Cookie", "a=1").appendHeader("Set-Cookie", "b=2").send("ok")
        }.request("GET", "/t")
        #expect(response.headers.all("set-cookie") == ["a=1", "b=2"])
    }

    @Test func stringIsHTMLUnlessATypeWasSet() async {
        let html = await client { _, res in res.send("<p>hi</p>") }.request("GET", "/t")
        #expect(html.headers["Content-Type"] == "text/html; charset=utf-8")
        let text = await client { _, res in res.type("text").send("hi") }.request("GET", "/t")
        #expect(text.headers["Content-Type"] == "text/plain; charset=utf-8")
    }

    @Test func noContentDropsTheBody() async {
        let response = await client { _, res in res.status(204).send("ignored") }.request("GET", "/t")
        #expect(response.status == 204)
        #expect(response.body.isEmpty)
        #expect(response.headers["Content-Length"] == nil)
    }

    @Test func sendingTwiceIsLoggedAndIgnored() async {
        let test = client { _, res in
            res.send("first")
            res.send("second")
        }
        let response = await test.request("GET", "/t")
        #expect(response.text == "first")
        #expect(test.log.lines.contains { $0.contains("res.send() called after the response was sent") })
    }

    @Test func throwingHandlerIs500JSONAndLogged() async {
        struct Broken: Error {}
        let test = client { _, _ in throw Broken() }
        let response = await test.request("DELETE", "/t")
        #expect(response.status == 500)
        #expect(response.json == ["error": "Internal server error"])
        let line = test.log.lines.first { $0.contains("level=error") }
        #expect(line?.contains("method=DELETE") == true)
        #expect(line?.contains("path=/t") == true)
        #expect(line?.contains("id=test") == true)
        #expect(line?.contains("Broken") == true)
    }

    @Test func httpErrorRendersItself() async {
        let response = await client { _, _ in throw HTTPError(404, "User not found") }.request("GET", "/t")
        #expect(response.status == 404)
        #expect(response.json == ["error": "User not found"])
    }

    @Test func handlerThatSendsNothingIsEndedAndLogged() async {
        let test = client { _, _ in }
        let response = await test.request("GET", "/t")
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(test.log.lines.contains { $0.contains("API resolved without sending a response for /t") })
    }

    @Test func redirectSetsLocationAnd302() async {
        let response = await client { _, res in res.redirect("/login") }.request("GET", "/t")
        #expect(response.status == 302)
        #expect(response.headers["Location"] == "/login")
    }

    @Test func headerValuesCannotSplitTheHeaderBlock() async {
        let response = await client { _, res in res.setHeader("X-Evil", "a\r\nStatus: 500").send("ok") }.request("GET", "/t")
        #expect(response.status == 200)
        #expect(response.headers["X-Evil"] == "a  Status: 500")
    }

    @Test func bodyOverTheLimitIs413() async {
        let response = await client { _, res in res.send("never") }
            .request("POST", "/t", headers: [("Content-Type", "text/plain")], body: [UInt8](repeating: 65, count: 1024 * 1024 + 1))
        #expect(response.status == 413)
        #expect(response.json == ["error": "Body exceeded 1mb limit"])
    }

    @Test func emptyContentLengthStillReadsTheBody() async {
        let response = await client { req, res in res.json(["bytes": .int(req.rawBody.count)]) }
            .request("POST", "/t", body: Array("hello".utf8), contentLength: .some(""))
        #expect(response.json == ["bytes": 5])
    }
}

struct JSONResponseTests {
    struct User: Encodable {
        var id: Int
        var url: String
    }

    func send(_ body: @escaping Handler) async -> TestResponse {
        await TestClient(app: App(routes: RouteTable([Route("/t", handlers: ["*": body])]))).request("GET", "/t")
    }

    @Test func literalsKeepTheirOrder() async {
        let response = await send { _, res in res.json(["zebra": 1, "apple": ["b": 2, "a": 1], "url": "a/b"]) }
        #expect(response.text == #"{"zebra":1,"apple":{"b":2,"a":1},"url":"a/b"}"#)
    }

    @Test func encodableValuesGoThroughCodable() async {
        let response = await send { _, res in res.status(201).json(User(id: 3, url: "https://x/y")) }
        #expect(response.status == 201)
        #expect(response.text == #"{"id":3,"url":"https://x/y"}"#)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
    }

    @Test func nestedEncodablesKeepDeclarationOrder() async {
        struct Order: Encodable {
            var id: Int
            var items: [Item]
            var note: String?
            var total: Double
        }
        struct Item: Encodable {
            var sku: String
            var quantity: UInt8
        }
        let order = Order(id: 7, items: [Item(sku: "a/1", quantity: 2)], note: nil, total: 9.5)
        let response = await send { _, res in res.json(order) }
        #expect(response.text == #"{"id":7,"items":[{"sku":"a/1","quantity":2}],"total":9.5}"#)
    }

    @Test func sendWithEncodableIsJSON() async {
        let response = await send { _, res in res.send(User(id: 1, url: "")) }
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
    }

    @Test func nilOrEmptySendJustEnds() async {
        let none = await send { _, res in res.send(nil) }
        #expect(none.status == 200)
        #expect(none.body.isEmpty)
        #expect(none.headers["Content-Length"] == "0")
        #expect(none.headers["Content-Type"] == nil)
        let empty = await send { _, res in res.send() }
        #expect(empty.body.isEmpty)
    }

    @Test func bytesAreOctetStream() async {
        let response = await send { _, res in res.send([0, 1, 2] as [UInt8]) }
        #expect(response.headers["Content-Type"] == "application/octet-stream")
        #expect(response.body == [0, 1, 2])
    }
}
