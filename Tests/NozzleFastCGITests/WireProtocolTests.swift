#if canImport(Glibc)
import Glibc
#endif
@testable import NozzleFastCGI
import NozzleTesting
import Testing

/// A FastCGIServer on one end of a socketpair, and a wire client on the other.
final class WireHarness {
    let server: FastCGIServer
    let client: FastCGIWireClient
    let thread: pthread_t

    init(workers: Int = 2) {
        var fds: [Int32] = [0, 0]
        socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
        var options = ServeOptions()
        options.workers = workers
        options.shutdownTimeout = 5
        server = FastCGIServer(app: App(routes: wireRoutes), options: options, listenFD: nil, signalFD: nil)
        let server = self.server
        thread = Thread.start { _ = server.run() }
        server.adopt(connection: fds[0])
        client = FastCGIWireClient(fd: fds[1])
    }

    deinit {
        server.stop()
        pthread_join(thread, nil)
    }
}

let wireRoutes = RouteTable([
    Route("/api/echo", handlers: ["*": { req, res in
        var headers = JSONObject()
        for (name, value) in req.headers { headers[name] = .string(value) }
        res.json([
            "method": .string(req.method),
            "body": .string(String(decoding: req.rawBody, as: UTF8.self)),
            "headers": .object(headers),
            "server": .string(req.environment["SERVER_SOFTWARE"] ?? ""),
        ])
    }]),
    Route("/api/ignore-body", config: RouteConfig(bodyParser: false), handlers: ["POST": { _, res in res.status(202).send("ignored") }]),
    Route("/api/slow", handlers: ["GET": { _, res in
        try await Task.sleep(for: .milliseconds(500))
        res.send("slow")
    }]),
    Route("/api/cookies", handlers: ["GET": { _, res in
        res.appendHeader("Set-Cookie", "a=1").appendHeader("Set-Cookie", "b=2").status(201).send("ok")
    }]),
])

func params(_ method: String, _ path: String, contentLength: String? = nil, extra: [(String, String)] = []) -> [(String, String)] {
    var list = [("REQUEST_METHOD", method), ("SCRIPT_NAME", path), ("REQUEST_URI", path), ("QUERY_STRING", "")]
    if let contentLength { list.append(("CONTENT_LENGTH", contentLength)) }
    return list + extra
}

struct WireProtocolTests {
    @Test func decodesParamsHeadersAndBody() throws {
        let harness = WireHarness()
        let answer = try harness.client.send(
            params: params("POST", "/api/echo", contentLength: "11", extra: [
                ("HTTP_X_CUSTOM_THING", "yes"), ("CONTENT_TYPE", "text/plain"), ("SERVER_SOFTWARE", "nginx/1.22.1"),
                ("HTTP_LONG", String(repeating: "v", count: 300)),
            ]),
            stdin: Array("hello world".utf8)
        )
        let json = try #require(answer.response.json)
        #expect(answer.response.status == 200)
        #expect(json["method"] == "POST")
        #expect(json["body"] == "hello world")
        #expect(json["headers"]?["X-Custom-Thing"] == "yes")
        #expect(json["headers"]?["Content-Type"] == "text/plain")
        #expect(json["headers"]?["Long"]?.stringValue?.count == 300)
        #expect(json["server"] == "nginx/1.22.1")
        #expect(answer.appStatus == 0)
    }

    @Test func readsBodyToTheEmptyRecordWhenContentLengthIsEmpty() throws {
        // nginx with fastcgi_request_buffering off and a chunked body: CONTENT_LENGTH is empty.
        let harness = WireHarness()
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        let answer = try harness.client.send(params: params("POST", "/api/echo", contentLength: ""), stdin: body, chunk: 8_000)
        #expect(answer.response.json?["body"]?.stringValue?.count == 200_000)
    }

    @Test func encodesStatusAndRepeatedHeaders() throws {
        let harness = WireHarness()
        let answer = try harness.client.send(params: params("GET", "/api/cookies"))
        let head = String(decoding: answer.stdout, as: UTF8.self)
        #expect(head.hasPrefix("Status: 201 Created\r\n"))
        #expect(answer.response.headers.all("Set-Cookie") == ["a=1", "b=2"])
        #expect(answer.response.headers["Content-Length"] == "2")
        #expect(answer.response.text == "ok")
    }

    @Test func servesSeveralRequestsOnOneKeptConnection() throws {
        let harness = WireHarness()
        for index in 0..<20 {
            let answer = try harness.client.send(params: params("POST", "/api/echo", contentLength: "\(String(index).count)"), stdin: Array(String(index).utf8))
            #expect(answer.response.json?["body"]?.stringValue == String(index))
        }
    }

    @Test func lyingContentLengthNeitherTruncatesNorBypassesTheLimit() throws {
        let harness = WireHarness()
        // Says 5 bytes, sends 200 kB: the body is read to its empty record.
        let body = [UInt8](repeating: UInt8(ascii: "y"), count: 200_000)
        let understated = try harness.client.send(params: params("POST", "/api/echo", contentLength: "5"), stdin: body)
        #expect(understated.response.json?["body"]?.stringValue?.count == 200_000)
        // Says more than the 1mb limit: 413 before reading, and the connection still works after.
        let overstated = try harness.client.send(params: params("POST", "/api/echo", contentLength: "999999999"), stdin: body)
        #expect(overstated.response.status == 413)
        #expect(try harness.client.send(params: params("GET", "/api/echo")).response.status == 200)
    }

    @Test func drainsAnUnreadBodyBeforeTheNextRequest() throws {
        // The handler never reads its 300 kB body; the next request on the connection must still work.
        let harness = WireHarness()
        let body = [UInt8](repeating: 7, count: 300_000)
        let first = try harness.client.send(params: params("POST", "/api/ignore-body", contentLength: "300000"), stdin: body)
        #expect(first.response.status == 202)
        let second = try harness.client.send(params: params("GET", "/api/echo"))
        #expect(second.response.json?["method"] == "GET")
    }

    @Test func closesTheConnectionWhenNotKept() throws {
        let harness = WireHarness()
        let answer = try harness.client.send(params: params("GET", "/api/echo"), keepConnection: false)
        #expect(answer.response.status == 200)
        #expect(harness.client.isClosedByPeer())
    }

    @Test func garbageClosesOnlyThatConnection() throws {
        let harness = WireHarness()
        try harness.client.writeAll(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(harness.client.isClosedByPeer())
        let other = WireHarness()
        #expect(try other.client.send(params: params("GET", "/api/echo")).response.status == 200)
    }

    @Test func getValuesIsAnsweredAtOnceWithTheTruth() throws {
        let harness = WireHarness()
        // Nothing else is sent: the answer must not wait for a next record (libfcgi's did).
        try harness.client.writeAll(FastCGIRecord.encode(.getValues, requestID: 0, content: FastCGIRecord.pairs([
            ("FCGI_MAX_CONNS", ""), ("FCGI_MAX_REQS", ""), ("FCGI_MPXS_CONNS", ""),
        ])))
        #expect(harness.client.hasInput(timeout: 1))
        let reply = try harness.client.readRecord()
        #expect(reply.header.type == FastCGIRecord.Kind.getValuesResult.rawValue)
        #expect(reply.header.requestID == 0)
        #expect(reply.content == FastCGIRecord.pairs([
            ("FCGI_MAX_CONNS", String(ServeOptions.defaultMaxInFlight)), ("FCGI_MAX_REQS", String(ServeOptions.defaultMaxInFlight)),
            ("FCGI_MPXS_CONNS", "0"),
        ]))
        // And the connection serves requests after it.
        #expect(try harness.client.send(params: params("GET", "/api/echo")).response.status == 200)
    }

    @Test func otherManagementRecordsGetUnknownType() throws {
        let harness = WireHarness()
        try harness.client.writeAll(FastCGIRecord.Header(type: 99, requestID: 0, contentLength: 0, paddingLength: 0).encoded)
        let reply = try harness.client.readRecord()
        #expect(reply.header.type == FastCGIRecord.Kind.unknownType.rawValue)
        #expect(reply.content.first == 99)
    }

    @Test func aSecondRequestOnABusyConnectionGetsCantMultiplexNotAHang() throws {
        let harness = WireHarness()
        let first = FastCGIRecord.begin(requestID: 1, keepConnection: true)
            + FastCGIRecord.stream(.params, FastCGIRecord.pairs(params("GET", "/api/slow")), requestID: 1) + FastCGIRecord.stream(.stdin, [], requestID: 1)
        try harness.client.writeAll(first + FastCGIRecord.begin(requestID: 2, keepConnection: true))
        // The refusal comes at once, while the first request still runs.
        #expect(harness.client.hasInput(timeout: 0.3))
        let refusal = try harness.client.readRecord()
        #expect(refusal.header.type == FastCGIRecord.Kind.endRequest.rawValue)
        #expect(refusal.header.requestID == 2)
        #expect(refusal.content[4] == FastCGIRecord.ProtocolStatus.cantMultiplexConnection.rawValue)
        // The first is answered as if nothing had happened.
        let answer = try harness.client.readAnswer()
        #expect(answer.response.text == "slow")
    }
}

extension FastCGIRecord.Header {
    /// The header's 8 bytes.
    var encoded: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }
}
