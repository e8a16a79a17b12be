import Nozzle
import NozzleTesting
import Testing

/// What body-parser and Next.js give for the bodies people send: empty, compressed, in other
/// charsets, bare JSON values, bracketed form keys.
struct BodyFidelityTests {
    static func client(_ config: BodyParserConfig = BodyParserConfig()) -> TestClient {
        TestClient(app: App(routes: RouteTable([
            Route("/echo", config: RouteConfig(bodyParser: config), handlers: ["*": { req, res in
                res.json(["type": .string(req.body.kind), "body": req.body.jsonRepresentation, "raw": .int(req.rawBody.count)])
            }])
        ])))
    }

    func post(_ body: [UInt8], _ headers: [(String, String)], config: BodyParserConfig = BodyParserConfig(), contentLength: String?? = .none) async -> TestResponse {
        await Self.client(config).request("POST", "/echo", headers: headers, body: body, contentLength: contentLength)
    }

    // MARK: - Form charsets

    /// body-parser's `urlencoded` reads UTF-8 and ISO-8859-1; in ISO-8859-1 a percent-escape is a
    /// byte of that charset (`%E9` is `é`), and so is a raw byte over 127.
    @Test(arguments: [
        ("application/x-www-form-urlencoded; charset=iso-8859-1", [UInt8]("name=Ren%E9e&city=K%F6ln+%FCber&raw=".utf8) + [0xE9], #"{"name":"Renée","city":"Köln über","raw":"é"}"#),
        ("application/x-www-form-urlencoded; charset=ISO-8859-1", Array("a%5Bb%5D=%A3".utf8), #"{"a[b]":"£"}"#),
        ("application/x-www-form-urlencoded; charset=utf-8", Array("name=Ren%C3%A9e".utf8), #"{"name":"Renée"}"#),
        ("application/x-www-form-urlencoded", Array("name=Ren%C3%A9e".utf8), #"{"name":"Renée"}"#),
    ])
    func formsAreReadInTheirCharset(contentType: String, body: [UInt8], expected: String) async {
        let response = await post(body, [("Content-Type", contentType)])
        #expect(response.status == 200)
        #expect(response.json?["body"]?.text == expected)
    }

    @Test(arguments: ["koi8-r", "utf-16", "windows-1252"])
    func aFormInAnotherCharsetIs415(charset: String) async {
        let response = await post(Array("a=1".utf8), [("Content-Type", "application/x-www-form-urlencoded; charset=\(charset)")])
        #expect(response.status == 415)
        #expect(response.json == ["error": .string("Unsupported charset \"\(charset.uppercased())\"")])
        #expect(response.statusMessage == "Unsupported charset \"\(charset.uppercased())\"")
    }

    // MARK: - Next.js's status lines

    /// Next.js answers the body parser's refusals with its message as the reason phrase.
    @Test func theBodyParsersAnswersCarryTheirMessageInTheStatusLine() async {
        let invalid = await post(Array("{nope".utf8), [("Content-Type", "application/json")])
        #expect(invalid.status == 400)
        #expect(invalid.statusMessage == "Invalid JSON")
        let large = await post(Array(repeating: UInt8(ascii: "x"), count: 2_000_000), [("Content-Type", "text/plain")])
        #expect(large.status == 413)
        #expect(large.statusMessage == "Body exceeded 1mb limit")
        #expect(large.json?["error"] == "Body exceeded 1mb limit")
        let fine = await post(Self.json, [("Content-Type", "application/json")])
        #expect(fine.statusMessage == "OK")
    }

    // MARK: - Empty bodies

    @Test(arguments: [
        ("application/json", #"{"type":"json","body":{},"raw":0}"#),
        ("application/vnd.api+json", #"{"type":"json","body":{},"raw":0}"#),
        ("application/x-www-form-urlencoded", #"{"type":"form","body":{},"raw":0}"#),
        ("text/plain", #"{"type":"text","body":"","raw":0}"#),
        ("application/octet-stream", #"{"type":"bytes","body":"","raw":0}"#),
    ])
    func anEmptyBodyIsWhatBodyParserGives(contentType: String, expected: String) async {
        // Content-Length: 0.
        #expect(await post([], [("Content-Type", contentType)], contentLength: "0").text == expected)
        // A chunked body with no bytes.
        #expect(await post([], [("Content-Type", contentType), ("Transfer-Encoding", "chunked")], contentLength: .some(nil)).text == expected)
        // Strict or not: {} for an empty JSON body is Next.js's special case too.
        #expect(await post([], [("Content-Type", contentType)], config: BodyParserConfig(strict: false), contentLength: "0").text == expected)
    }

    @Test func noBodyAtAllStaysNone() async {
        // No Content-Length and no Transfer-Encoding: there is no body, whatever the type says.
        #expect(await post([], [("Content-Type", "application/json")], contentLength: .some(nil)).json?["type"] == "none")
        #expect(await post([], [("Content-Type", "application/json")], contentLength: "").json?["type"] == "none")
        // An empty body with no type at all is no body either.
        #expect(await post([], [], contentLength: "0").json?["type"] == "none")
    }

    // MARK: - Compressed bodies

    static let json = Array(#"{"name":"Ada"}"#.utf8)

    @Test(arguments: [
        ("gzip", Compression.gzip(json)),
        ("GZip", Compression.gzip(json)),
        ("deflate", Compression.deflate(json, windowBits: 15)),
        ("deflate", Compression.deflate(json, windowBits: -15)),
        ("br", Compression.brotliJSON),
        ("identity", json),
    ])
    func compressedBodiesAreInflated(encoding: String, body: [UInt8]) async {
        let response = await post(body, [("Content-Type", "application/json"), ("Content-Encoding", encoding)])
        #expect(response.status == 200)
        #expect(response.json?["body"] == ["name": "Ada"])
        // rawBody is what the body inflated to, as body-parser's verify sees it.
        #expect(response.json?["raw"] == .int(Self.json.count))
    }

    @Test func theLimitAppliesToTheInflatedBytes() async {
        let large = [UInt8](repeating: UInt8(ascii: "a"), count: 200_000)
        let compressed = Compression.gzip(large)
        #expect(compressed.count < 2_000)
        let response = await post(compressed, [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")], config: BodyParserConfig(sizeLimit: "100kb"))
        #expect(response.status == 413)
        #expect(response.json == ["error": "Body exceeded 100kb limit"])
        let fits = await post(compressed, [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")], config: BodyParserConfig(sizeLimit: "200kb"))
        #expect(fits.status == 200)
        #expect(fits.json?["raw"] == 200_000)
    }

    @Test func zipBombsAre413WithoutInflatingThemWhole() async {
        // 64 MiB of zeros is 64 kB of gzip, and 4 MiB of zeros 14 bytes of brotli.
        let gzipBomb = Compression.gzip([UInt8](repeating: 0, count: 64 << 20))
        let clock = ContinuousClock()
        let started = clock.now
        let gzip = await post(gzipBomb, [("Content-Type", "application/octet-stream"), ("Content-Encoding", "gzip")])
        #expect(gzip.status == 413)
        let brotli = await post(Compression.brotliBomb, [("Content-Type", "application/octet-stream"), ("Content-Encoding", "br")])
        #expect(brotli.status == 413)
        #expect(brotli.json == ["error": "Body exceeded 1mb limit"])
        // Stopped at the limit: nowhere near the time inflating 64 MiB in a debug build takes.
        #expect(clock.now - started < .seconds(2))
    }

    @Test(arguments: [
        ("gzip", Array("not gzip at all".utf8), "invalid gzip data"),
        ("gzip", Array(Compression.gzip(json).dropLast(6)), "the gzip stream ends too soon"),
        ("deflate", [0xFF, 0xFF, 0xFF, 0xFF], "invalid deflate data"),
        ("br", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "invalid br data"),
        ("gzip", Compression.gzip(json) + [1, 2, 3], "data after the end of the gzip stream"),
    ])
    func malformedCompressedDataIs400(encoding: String, body: [UInt8], reason: String) async {
        let response = await post(body, [("Content-Type", "application/json"), ("Content-Encoding", encoding)])
        #expect(response.status == 400)
        #expect(response.json?["error"] == "Invalid compressed body")
        #expect(response.json?["reason"]?.stringValue?.hasPrefix(reason) == true, "\(response.text)")
    }

    @Test func otherEncodingsOrInflateOffAre415() async {
        let unknown = await post(Self.json, [("Content-Type", "application/json"), ("Content-Encoding", "zstd")])
        #expect(unknown.status == 415)
        #expect(unknown.json == ["error": #"Unsupported content encoding "zstd""#])
        let off = await post(Compression.gzip(Self.json), [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], config: BodyParserConfig(inflate: false))
        #expect(off.status == 415)
    }

    // MARK: - JSON

    @Test(arguments: ["true", "\"text\"", "42", "null", "  7"])
    func strictJSONTakesOnlyObjectsAndArrays(body: String) async {
        let strict = await post(Array(body.utf8), [("Content-Type", "application/json")])
        #expect(strict.status == 400)
        #expect(strict.json?["reason"] == "Only an object or an array is accepted (strict)")
        // Off, any value, as Next.js parses it.
        let loose = await post(Array(body.utf8), [("Content-Type", "application/json")], config: BodyParserConfig(strict: false))
        #expect(loose.status == 200)
        #expect(loose.json?["body"] == (try? JSON(parsing: body)))
    }

    @Test(arguments: ["utf-16le", "utf-16be", "utf-16", "utf-32le", "utf-32be", "utf-32", "UTF-8"])
    func jsonInUTF16And32(charset: String) async {
        let text = #"{"name":"Ada ☃ 😀"}"#
        var bytes: [UInt8] = []
        switch charset {
        case "utf-16le", "utf-16":
            if charset == "utf-16" { bytes = [0xFF, 0xFE] }
            for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        case "utf-16be":
            for unit in text.utf16 { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        case "utf-32le", "utf-32":
            for scalar in text.unicodeScalars { bytes += [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: scalar.value >> $0) } }
        case "utf-32be":
            for scalar in text.unicodeScalars { bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: scalar.value >> $0) } }
        default:
            bytes = [0xEF, 0xBB, 0xBF] + Array(text.utf8)  // with a byte-order mark
        }
        let response = await post(bytes, [("Content-Type", "application/json; charset=\(charset)")])
        #expect(response.status == 200, "\(response.text)")
        #expect(response.json?["body"] == ["name": "Ada ☃ 😀"])
    }

    @Test func jsonInAnotherCharsetIs415() async {
        let response = await post(Self.json, [("Content-Type", "application/json; charset=iso-8859-1")])
        #expect(response.status == 415)
        #expect(response.json == ["error": #"Unsupported charset "ISO-8859-1""#])
    }

    // MARK: - Forms

    @Test func extendedFormsNestAsQsDoes() async {
        let body = "user[name]=Ada&user[langs][]=en&user[langs][]=fr&a[0]=x&a[1]=y&b[1]=second&b[0]=first&plain=1&plain=2&m[0]=x&m[k]=y"
        let response = await post(Array(body.utf8), [("Content-Type", "application/x-www-form-urlencoded")], config: BodyParserConfig(extended: true))
        #expect(response.json?["type"] == "form")
        #expect(response.json?["body"] == [
            "user": ["name": "Ada", "langs": ["en", "fr"]],
            "a": ["x", "y"],
            "b": ["first", "second"],
            "plain": ["1", "2"],
            "m": ["0": "x", "k": "y"],
        ])
        // Without extended, keys stay as sent.
        let simple = await post(Array("user[name]=Ada".utf8), [("Content-Type", "application/x-www-form-urlencoded")])
        #expect(simple.json?["body"] == ["user[name]": "Ada"])
    }

    @Test func extendedFormsKeepTheirLimits() async {
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        // Deeper than depth: 400, as body-parser's strict depth.
        let deep = await post(Array("a[b][c][d]=1".utf8), form, config: BodyParserConfig(extended: true, depth: 2))
        #expect(deep.status == 400)
        #expect(deep.json?["error"] == "The input exceeded the depth")
        // An index above the array limit (100, or the number of parameters) is an object key.
        let sparse = await post(Array("a[500]=x".utf8), form, config: BodyParserConfig(extended: true))
        #expect(sparse.json?["body"] == ["a": ["500": "x"]])
        // parameterLimit counts as body-parser does: by the '&'s.
        let many = await post(Array("a=1&b=2&c=3".utf8), form, config: BodyParserConfig(parameterLimit: 2, extended: true))
        #expect(many.status == 413)
    }

    @Test func extendedQueriesNestWhenTheAppSaysSo() async {
        var app = App(routes: RouteTable([Route("/q/[id]", handlers: ["GET": { req, res in res.json(req.query.json) }])]))
        let target = "/q/7?user[name]=Ada&tags[]=a&tags[]=b&a[b][c][d][e][f][g]=deep&i[21]=x"
        #expect(await TestClient(app: app).request("GET", target).json == [
            "user[name]": "Ada", "tags[]": ["a", "b"], "a[b][c][d][e][f][g]": "deep", "i[21]": "x", "id": "7",
        ])
        app.queryParser = .extended()
        #expect(await TestClient(app: app).request("GET", target).json == [
            "user": ["name": "Ada"], "tags": ["a", "b"],
            // qs keeps what is deeper than 5 levels as one key, and an index above 20 as an object key.
            "a": ["b": ["c": ["d": ["e": ["f": ["[g]": "deep"]]]]]],
            "i": ["21": "x"], "id": "7",
        ])
    }

    @Test func theQueryDecodesIntoTypes() async {
        struct Page: Decodable { var page: Int; var sort: String?; var desc: Bool? }
        let app = App(routes: RouteTable([Route("/q", handlers: ["GET": { req, res in
            let page = try req.query.decode(Page.self)
            res.json(["page": .int(page.page), "desc": .bool(page.desc ?? false)])
        }])]))
        #expect(await TestClient(app: app).request("GET", "/q?page=3&desc=true").json == ["page": 3, "desc": true])
        let bad = await TestClient(app: app).request("GET", "/q?page=three")
        #expect(bad.status == 400)
        #expect(bad.json?["field"] == "page")
    }
}
