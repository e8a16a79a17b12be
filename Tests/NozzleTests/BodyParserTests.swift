import Nozzle
import NozzleTesting
import Testing

/// A route that reports what the body parser made of the body.
func echoClient(limit: SizeLimit = "1mb") -> TestClient {
    TestClient(app: App(routes: RouteTable([
        Route("/echo", config: RouteConfig(bodyParser: .init(sizeLimit: limit)), handlers: ["POST": { req, res in
            res.json(["type": .string(req.body.kind), "body": req.body.jsonRepresentation, "raw": .int(req.rawBody.count)])
        }])
    ])))
}

struct BodyParserTests {
    @Test(arguments: [
        ("application/json", #"{"a":[1,2],"b":"x"}"#, "json", #"{"a":[1,2],"b":"x"}"#),
        ("application/json; charset=utf-8", #"[true]"#, "json", "[true]"),
        ("application/vnd.api+json", #"{"data":null}"#, "json", #"{"data":null}"#),
        ("application/x-www-form-urlencoded", "a=1&b=two+words&a=3&c=%C3%A9", "form", #"{"a":["1","3"],"b":"two words","c":"é"}"#),
        ("text/plain", "hello", "text", #""hello""#),
        ("text/csv; charset=iso-8859-1", "caf\u{E9}", "text", #""café""#),
        ("application/octet-stream", "\u{1}\u{2}", "bytes", #""AQI=""#),
        ("", "raw", "bytes", #""cmF3""#),
    ])
    func parsesByContentType(contentType: String, body: String, type: String, parsed: String) async {
        var bytes = Array(body.utf8)
        if contentType.contains("iso-8859-1") { bytes = body.unicodeScalars.map { UInt8($0.value) } }
        let headers = contentType.isEmpty ? [] : [("Content-Type", contentType)]
        let response = await echoClient().request("POST", "/echo", headers: headers, body: bytes)
        #expect(response.status == 200)
        #expect(response.json?["type"]?.stringValue == type)
        #expect(response.json?["body"]?.text == parsed)
        #expect(response.json?["raw"]?.intValue == bytes.count)
    }

    @Test func multipartGivesFieldsAndFiles() async throws {
        let body = "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAda\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"tag\"\r\n\r\nmath\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"tag\"\r\n\r\nengines\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n"
            + "--XyZ--\r\nepilogue"
        let response = await echoClient().request("POST", "/echo", headers: [("Content-Type", "multipart/form-data; boundary=XyZ")], body: Array(body.utf8))
        #expect(response.json?["type"] == "multipart")
        let form = try #require(response.json?["body"])
        #expect(form["fields"] == ["name": "Ada", "tag": ["math", "engines"]])
        #expect(form["files"] == [["field": "file", "filename": "a \"b\".txt", "contentType": "text/plain", "size": 12]])
    }

    @Test(arguments: [
        ("multipart/form-data", "--a\r\n\r\n", "the Content-Type has no boundary"),
        ("multipart/form-data; boundary=a", "nothing here", "no boundary found"),
        ("multipart/form-data; boundary=a", "--a\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue", "the closing boundary is missing"),
        ("multipart/form-data; boundary=a", "--a\r\nContent-Type: text/plain\r\n\r\nv\r\n--a--", "a part has no Content-Disposition"),
    ])
    func badMultipartIs400(contentType: String, body: String, reason: String) async {
        let response = await echoClient().request("POST", "/echo", headers: [("Content-Type", contentType)], body: Array(body.utf8))
        #expect(response.status == 400)
        #expect(response.json == ["error": "Invalid multipart body", "reason": .string(reason)])
    }

    @Test func multipartParserSurvivesGarbage() async {
        // Random mutations of a valid body: every answer is a 200 or a 400, never a crash or a hang.
        var generator = SystemRandomNumberGenerator()
        let valid = Array("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\ndata\r\n--b\r\nContent-Disposition: form-data; name=\"g\"\r\n\r\nv\r\n--b--\r\n".utf8)
        let client = echoClient()
        for _ in 0..<2_000 {
            var body = valid
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<body.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: body[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: body.remove(at: index)
                default: body.insert(contentsOf: body[index..<min(body.count, index + 5)], at: index)
                }
                if body.isEmpty { body = [0] }
            }
            let response = await client.request("POST", "/echo", headers: [("Content-Type", "multipart/form-data; boundary=b")], body: body)
            #expect(response.status == 200 || response.status == 400)
        }
    }

    @Test func invalidJSONIs400WithThePosition() async {
        let response = await echoClient().request("POST", "/echo", headers: [("Content-Type", "application/json")], body: Array(#"{"a": tru}"#.utf8))
        #expect(response.status == 400)
        #expect(response.json == ["error": "Invalid JSON", "reason": "Invalid literal", "position": 6])
    }

    @Test(arguments: [
        ("text/plain; charset=shift_jis", [("Content-Type", "text/plain; charset=shift_jis")], #"{"error":"Unsupported charset \"SHIFT_JIS\""}"#),
        ("application/json; charset=koi8-r", [("Content-Type", "application/json; charset=koi8-r")], #"{"error":"Unsupported charset \"KOI8-R\""}"#),
        ("form; charset=utf-16", [("Content-Type", "application/x-www-form-urlencoded; charset=utf-16")], #"{"error":"Unsupported charset \"UTF-16\""}"#),
        ("compress", [("Content-Type", "application/json"), ("Content-Encoding", "compress")], #"{"error":"Unsupported content encoding \"compress\""}"#),
    ])
    func unsupportedCharsetOrEncodingIs415(name: String, headers: [(String, String)], body: String) async {
        let response = await echoClient().request("POST", "/echo", headers: headers, body: Array("{}".utf8))
        #expect(response.status == 415)
        #expect(response.text == body)
    }

    @Test func emptyBodyIsEmptyNotACrash() async {
        for type in ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"] {
            let response = await echoClient().request("POST", "/echo", headers: [("Content-Type", type)])
            #expect(response.status == 200)
            #expect(response.json?["type"] == "none")
        }
    }
}

/// The size limit at limit - 1, limit and limit + 1 bytes, whatever CONTENT_LENGTH says.
struct SizeLimitTests {
    enum LengthHeader: String, CaseIterable { case correct, missing, empty, understated, overstated }

    func contentLength(_ header: LengthHeader, size: Int) -> String?? {
        switch header {
        case .correct: .some(String(size))
        case .missing: .some(nil)
        case .empty: .some("")
        case .understated: .some("10")
        case .overstated: .some(String(size + 1000))
        }
    }

    @Test(arguments: LengthHeader.allCases, [-1, 0, 1])
    func limitHolds(header: LengthHeader, offset: Int) async {
        let limit = 500 * 1024
        let size = limit + offset
        let response = await echoClient(limit: "500kb").request(
            "POST", "/echo", headers: [("Content-Type", "application/octet-stream")],
            body: [UInt8](repeating: 120, count: size), contentLength: contentLength(header, size: size))
        if offset <= 0 && header != .overstated {
            #expect(response.status == 200)
            #expect(response.json?["raw"]?.intValue == size)
        } else {
            // Over the limit, or claimed to be: 413 with the limit as configured.
            #expect(response.status == 413)
            #expect(response.json == ["error": "Body exceeded 500kb limit"])
        }
    }

    @Test(arguments: [("500kb", 512_000), ("1mb", 1_048_576), ("10MB", 10_485_760), ("1.5mb", 1_572_864), ("100", 100), ("2KB", 2048), ("7b", 7)])
    func parsesLimits(text: String, bytes: Int) {
        #expect(SizeLimit(text).bytes == bytes)
    }

    @Test(arguments: ["", "mb", "1xb", "-5kb", "1 parsec", "1.2.3mb"])
    func rejectsMalformedLimits(text: String) {
        #expect(SizeLimit(text).bytes == nil)
    }

    @Test func integerLimit() {
        let limit: SizeLimit = 4096
        #expect(limit.bytes == 4096)
    }
}
