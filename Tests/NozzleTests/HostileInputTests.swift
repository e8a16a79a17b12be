import Nozzle
import NozzleTesting
import Testing

/// The worst inputs we know, at 1 MB, answered correctly and in time that only a parser linear in
/// its input can meet: quadratic code took from seconds to minutes on these shapes. The bound is
/// generous for a debug build on a busy machine.
@Suite(.serialized)
struct HostileInputTests {
    static let megabyte = 1 << 20
    static let bound: Duration = .seconds(2)

    /// An echo route with the given body-parser settings; its 1mb limit takes the inputs below.
    static func client(_ config: BodyParserConfig = BodyParserConfig()) -> TestClient {
        TestClient(app: App(routes: RouteTable([
            Route("/echo", config: RouteConfig(bodyParser: config), handlers: [
                "POST": { req, res in res.json(["type": .string(req.body.kind), "body": req.body.jsonRepresentation]) },
                "GET": { req, res in res.json(["count": .int(req.query.count)]) },
            ]),
            Route("/decode", config: RouteConfig(bodyParser: config), handlers: ["POST": { req, res in
                let decoded = try req.body.decode([String: Int].self)
                res.json(["count": .int(decoded.count)])
            }]),
            // A decoded body sent back through `res.json`: in one pass, and through the tree encoder
            // when the value repeats a key at its end.
            Route("/recode", config: RouteConfig(bodyParser: config), handlers: ["POST": { req, res in
                let decoded = try req.body.decode([String: Int].self)
                if req.query["tree"] != nil { res.json(RepeatsAKey(members: decoded)) } else { res.json(decoded) }
            }]),
            Route("/api/[...rest]", handlers: ["GET": { req, res in res.json(["segments": .int(req.params.all("rest").count)]) }]),
        ])))
    }

    /// Sends one request and checks how long it took. A request over the bound is sent once more,
    /// and that one must be within it: a moment when the machine is busy with something else passes,
    /// while quadratic code (10 s to minutes on these inputs) is slow both times.
    func timed(
        _ client: TestClient, _ method: String = "POST", _ target: String = "/echo", contentType: String? = nil,
        headers: [(String, String)] = [], body: [UInt8] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) async -> TestResponse {
        let clock = ContinuousClock()
        let allHeaders = (contentType.map { [("Content-Type", $0)] } ?? []) + headers
        var response = TestResponse?.none
        var elapsed = Duration.zero
        for _ in 0..<2 {
            let start = clock.now
            response = await client.request(method, target, headers: allHeaders, body: body)
            elapsed = clock.now - start
            if elapsed < HostileInputTests.bound { break }
        }
        #expect(elapsed < HostileInputTests.bound, "took \(elapsed)", sourceLocation: sourceLocation)
        return response!
    }

    static let unlimited = BodyParserConfig(parameterLimit: .max, jsonMemberLimit: .max, partLimit: .max)

    @Test func repeatedFormKeyIsLinear() async throws {
        let body = HostileInput.repeatedFormKey(bytes: Self.megabyte - 1)
        let response = await timed(Self.client(Self.unlimited), contentType: "application/x-www-form-urlencoded", body: body)
        #expect(response.status == 200)
        #expect(response.json?["body"]?["k"]?.arrayValue?.count == HostileInput.formPairs(body))
    }

    @Test func bareFormKeysAreLinear() async throws {
        let body = HostileInput.bareFormKeys(bytes: Self.megabyte - 1)
        let response = await timed(Self.client(Self.unlimited), contentType: "application/x-www-form-urlencoded", body: body)
        #expect(response.status == 200)
        #expect(response.json?["body"]?["k"]?.arrayValue?.count == HostileInput.formPairs(body))
    }

    /// A form in ISO-8859-1 reads every byte as a character: a megabyte of escapes and raw high
    /// bytes in one value, and a megabyte of distinct keys.
    @Test func latin1FormsAreLinear() async throws {
        var body = Array("k=".utf8)
        while body.count < Self.megabyte - 4 { body += Array("%E9".utf8) + [0xE9] }
        let latin1 = "application/x-www-form-urlencoded; charset=iso-8859-1"
        let response = await timed(Self.client(Self.unlimited), contentType: latin1, body: body)
        #expect(response.status == 200)
        let value = try #require(response.json?["body"]?["k"]?.stringValue)
        #expect(value.unicodeScalars.count == (body.count - 2) / 4 * 2)
        #expect(value.unicodeScalars.allSatisfy { $0 == "é" })
        let keys = HostileInput.distinctFormKeys(bytes: Self.megabyte - 1)
        let many = await timed(Self.client(Self.unlimited), contentType: latin1, body: keys)
        #expect(many.json?["body"]?.objectValue?.count == HostileInput.formPairs(keys))
    }

    @Test func distinctFormKeysAreLinear() async throws {
        let body = HostileInput.distinctFormKeys(bytes: Self.megabyte - 1)
        let response = await timed(Self.client(Self.unlimited), contentType: "application/x-www-form-urlencoded", body: body)
        #expect(response.status == 200)
        #expect(response.json?["body"]?.objectValue?.count == HostileInput.formPairs(body))
    }

    @Test func formsPastTheParameterLimitAre413() async throws {
        for body in [HostileInput.repeatedFormKey(bytes: Self.megabyte - 1), HostileInput.distinctFormKeys(bytes: Self.megabyte - 1)] {
            let response = await timed(Self.client(), contentType: "application/x-www-form-urlencoded", body: body)
            #expect(response.status == 413)
            #expect(response.json == ["error": "Too many parameters", "limit": "parameterLimit", "max": 1000])
        }
        let atLimit = Array((0..<1000).map { "k\($0)=1" }.joined(separator: "&").utf8)
        #expect(await Self.client().request("POST", "/echo", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: atLimit).status == 200)
        let custom = await Self.client(BodyParserConfig(parameterLimit: 10)).request(
            "POST", "/echo", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("a=1&a=2&a=3&a=4&a=5&a=6&a=7&a=8&a=9&a=10&a=11".utf8))
        #expect(custom.json == ["error": "Too many parameters", "limit": "parameterLimit", "max": 10])
    }

    @Test func queryStringsPastTheParameterLimitAre413() async throws {
        let query = String(decoding: HostileInput.repeatedFormKey(bytes: 64 * 1024), as: UTF8.self)
        let response = await timed(Self.client(), "GET", "/echo?" + query)
        #expect(response.status == 413)
        #expect(response.json == ["error": "Too many query parameters", "limit": "parameterLimit", "max": 1000])
        let long = await timed(Self.client(Self.unlimited), "GET", "/echo?" + String(decoding: HostileInput.distinctFormKeys(bytes: Self.megabyte), as: UTF8.self))
        #expect(long.status == 200)
        #expect(await Self.client().request("GET", "/echo?a=1&b=2&a=3").json == ["count": 2])
    }

    @Test func wideJSONObjectIsLinear() async throws {
        let (body, members) = HostileInput.wideJSONObject(bytes: Self.megabyte - 1)
        let response = await timed(Self.client(Self.unlimited), contentType: "application/json", body: body)
        #expect(response.status == 200)
        #expect(response.json?["body"]?.objectValue?.count == members)
        #expect(response.json?["body"]?["k\(members - 1)"] == 1)
    }

    @Test func wideJSONObjectPastTheMemberLimitIs413() async throws {
        let (body, _) = HostileInput.wideJSONObject(bytes: Self.megabyte - 1)
        let response = await timed(Self.client(), contentType: "application/json", body: body)
        #expect(response.status == 413)
        #expect(response.json == ["error": "Too many members in a JSON object", "limit": "jsonMemberLimit", "max": 10_000])
    }

    @Test func typedDecodingOfAWideObjectIsLinear() async throws {
        let (body, members) = HostileInput.wideJSONObject(bytes: Self.megabyte - 1)
        let response = await timed(Self.client(Self.unlimited), "POST", "/decode", contentType: "application/json", body: body)
        #expect(response.json == ["count": .int(members)])
        let form = HostileInput.distinctFormKeys(bytes: Self.megabyte - 1)
        let fromForm = await timed(Self.client(Self.unlimited), "POST", "/decode", contentType: "application/x-www-form-urlencoded", body: form)
        #expect(fromForm.json == ["count": .int(HostileInput.formPairs(form))])
    }

    /// A dictionary's members, then its first key again: only the tree encoder can write that.
    struct RepeatsAKey: Encodable {
        var members: [String: Int]
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: StringKey.self)
            for (key, value) in members { try container.encode(value, forKey: StringKey(key)) }
            if let first = members.first { try container.encode(first.value, forKey: StringKey(first.key)) }
        }
    }

    /// A wide object decoded and sent back with `res.json`, through the one-pass writer and through
    /// the tree encoder: each key is checked against those before it, in constant time. The tree's
    /// body is half a megabyte (50,000 keys, a second in a debug build), where checking keys by
    /// scanning took minutes.
    @Test(arguments: [("/recode", megabyte - 1), ("/recode?tree", megabyte / 2)])
    func aWideDecodedObjectIsSentBackLinearly(target: String, bytes: Int) async throws {
        let (body, members) = HostileInput.wideJSONObject(bytes: bytes)
        let response = await timed(Self.client(Self.unlimited), "POST", target, contentType: "application/json", body: body)
        #expect(response.status == 200)
        let object = try #require(response.json?.objectValue)
        #expect(object.count == members)
        #expect(object["k0"] == 1 && object["k\(members - 1)"] == 1)
    }

    @Test func truncatedObjectOfObjectsIs400Quickly() async throws {
        let body = HostileInput.truncatedObjectOfObjects(bytes: Self.megabyte - 1)
        let response = await timed(Self.client(Self.unlimited), contentType: "application/json", body: body)
        #expect(response.status == 400)
        #expect(response.json?["error"] == "Invalid JSON")
        #expect(response.json?["position"] == .int(body.count))
    }

    @Test func deepNestingIs413NamingTheLimit() async throws {
        let response = await timed(Self.client(), contentType: "application/json", body: HostileInput.deepJSONArray(depth: 500_000))
        #expect(response.status == 413)
        #expect(response.json == ["error": "JSON nested too deeply", "limit": "jsonDepthLimit", "max": 512])
        #expect(await Self.client().request("POST", "/echo", headers: [("Content-Type", "application/json")], body: HostileInput.deepJSONArray(depth: 512)).status == 200)
    }

    @Test func escapedStringsAreLinear() async throws {
        let body = HostileInput.escapedJSONString(bytes: Self.megabyte - 1)
        let response = await timed(Self.client(), contentType: "application/json", body: body)
        #expect(response.status == 200)
        #expect(response.json?["body"]?[0]?.stringValue?.count == (body.count - 4) / 6)
    }

    @Test func manyMultipartPartsAreLinear() async throws {
        let (body, boundary, parts) = HostileInput.manyMultipartParts(bytes: Self.megabyte - 1)
        let response = await timed(Self.client(Self.unlimited), contentType: "multipart/form-data; boundary=\(boundary)", body: body)
        #expect(response.status == 200)
        #expect(response.json?["body"]?["fields"]?["k"]?.arrayValue?.count == parts)
        let limited = await timed(Self.client(), contentType: "multipart/form-data; boundary=\(boundary)", body: body)
        #expect(limited.status == 413)
        #expect(limited.json == ["error": "Too many parts in a multipart body", "limit": "partLimit", "max": 1000])
    }

    @Test func boundaryNearMissesAreLinear() async throws {
        let (body, boundary, valueBytes) = HostileInput.multipartNearMisses(bytes: Self.megabyte - 1)
        let response = await timed(Self.client(), contentType: "multipart/form-data; boundary=\(boundary)", body: body)
        #expect(response.status == 200)
        #expect(response.json?["body"]?["fields"]?["k"]?.stringValue?.utf8.count == valueBytes)
    }

    @Test func endlessPartHeaderIs413() async throws {
        let (body, boundary) = HostileInput.endlessPartHeader(bytes: Self.megabyte - 1)
        let response = await timed(Self.client(), contentType: "multipart/form-data; boundary=\(boundary)", body: body)
        #expect(response.status == 413)
        #expect(response.json == ["error": "A multipart part's headers are too large", "limit": "partHeaderSizeLimit", "max": 16_384])
    }

    @Test func headersOfAnySizeAreLinear() async throws {
        let client = TestClient(app: {
            var app = App(routes: RouteTable([Route("/h", handlers: ["GET": { req, res in
                res.json([
                    "ip": .string(req.ip ?? ""), "cookies": .int(req.cookies.count),
                    "accepts": req.accepts("json", "html").map(JSON.string) ?? .null, "is": .bool(req.is("json")),
                ])
            }])]))
            app.trustedProxies = .loopback
            return app
        }())
        let flags = HostileInput.flags(bytes: Self.megabyte)
        let response = await timed(client, "GET", "/h", headers: [
            ("X-Forwarded-For", flags + ", " + flags + ":" + flags),
            ("Cookie", HostileInput.cookieHeader(bytes: Self.megabyte)),
            ("Accept", HostileInput.acceptHeader(bytes: Self.megabyte)),
            ("Content-Type", "application/json; " + flags + "=\"" + flags + "\""),
        ])
        #expect(response.status == 200)
        #expect(response.json?["cookies"] == 1)
        #expect(response.json?["accepts"] == .null)
        #expect(response.json?["is"] == true)
        // The untrusted entry nearest the proxy, as sent (compared as bytes: see HostileInput.flags).
        #expect(response.json?["ip"]?.stringValue?.utf8.elementsEqual((flags + ":" + flags).utf8) == true)
    }

    @Test func longPathsAreLinear() async throws {
        let response = await timed(Self.client(), "GET", HostileInput.longPath(bytes: Self.megabyte))
        // More segments than the router takes: not found, quickly.
        #expect(response.status == 404)
        let decoded = await timed(Self.client(), "GET", "/api/" + String(repeating: "%F0%9F%87%AB", count: 80_000))
        #expect(decoded.json == ["segments": 1])
    }

    @Test func rateLimitStaysBoundedAndConstantTime() async throws {
        let store = MemoryRateLimitStore(capacity: 10_000)
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<200_000 {
            _ = store.hit("client-\(index)", windowSeconds: 60, now: 1_000)
        }
        #expect(clock.now - start < HostileInputTests.bound)
        #expect(store.clientCount <= 20_000)
        // A client seen in this window keeps its count.
        _ = store.hit("steady", windowSeconds: 60, now: 1_000)
        #expect(store.hit("steady", windowSeconds: 60, now: 1_001) == RateLimitHit(count: 2, resetAt: 1_060))
        // Two quiet windows later, everything is gone.
        _ = store.hit("later", windowSeconds: 60, now: 1_200)
        #expect(store.clientCount == 1)
    }

    /// Rules over everything a megabyte can hold: an array of 200,000 numbers that each break a
    /// rule, one that repeats only at its end (uniqueness checked in one pass), and 90,000 unknown
    /// members: one 400, its list bounded, in linear time.
    struct Strict: Decodable, Validatable {
        var numbers: [Int]
        static func validations(_ rules: inout Validations) {
            rules.unknownFields = .refused
            rules.add("numbers", as: [Int].self, is: .unique)
            rules.add(each: "numbers", as: Int.self, is: .range(0...9) && .multipleOf(2))
        }
    }

    static let validating = TestClient(app: App(routes: RouteTable([
        Route("/strict", config: RouteConfig(bodyParser: unlimited), handlers: ["POST": { req, res in
            res.json(["count": .int(try req.body.decode(Strict.self).numbers.count)])
        }]),
    ])))

    struct Slugs: Decodable, Validatable {
        var slug: String
        var tags: [String]
        static func validations(_ rules: inout Validations) {
            // Patterns that take a backtracking engine exponential time on a run of a's with no b.
            rules.add("slug", as: String.self, is: .pattern("^(a|a?)+(a*)*b$"))
            rules.add(each: "tags", as: String.self, is: .pattern("^(a|aa)*$") && .pattern("(x+x+)+y"))
        }
    }

    struct Outgrown: Decodable, Validatable {
        var slug: String
        static func validations(_ rules: inout Validations) { rules.add("slug", as: String.self, is: .pattern("a[ab]{20}$")) }
    }

    static let patterns = TestClient(app: App(routes: RouteTable([
        Route("/slugs", config: RouteConfig(bodyParser: unlimited), handlers: ["POST": { req, res in
            res.json(["slug": .string(try req.body.decode(Slugs.self).slug)])
        }]),
        Route("/outgrown", config: RouteConfig(bodyParser: unlimited), handlers: ["POST": { req, res in
            res.json(["slug": .string(try req.body.decode(Outgrown.self).slug)])
        }]),
    ])))

    /// A string at the body limit against a pattern that makes a backtracking engine take forever,
    /// and a hundred thousand strings against two more: a 400 in time linear in the body.
    @Test func patternsOverAMegabyteAreLinear() async throws {
        let run = String(repeating: "a", count: Self.megabyte - 40)
        let long = await timed(Self.patterns, "POST", "/slugs", contentType: "application/json", body: Array(#"{"slug":"\#(run)","tags":[]}"#.utf8))
        #expect(long.status == 400)
        #expect(long.json?["issues"]?[0]?["field"] == "slug")
        let tags = Array(repeating: #""aaaaaaaaax""#, count: 80_000).joined(separator: ",")
        let many = await timed(Self.patterns, "POST", "/slugs", contentType: "application/json", body: Array(#"{"slug":"ab","tags":[\#(tags)]}"#.utf8))
        #expect(many.status == 400)
        #expect(many.json?["issueCount"] == .int(160_000))
        // A pattern whose DFA outgrows its cache on a megabyte of a's and b's: as fast, and no larger.
        var random = SystemRandomNumberGenerator()
        let mixed = String((0..<(Self.megabyte - 60)).map { _ in Bool.random(using: &random) ? "a" : "b" })
        let outgrown = await timed(Self.patterns, "POST", "/outgrown", contentType: "application/json", body: Array(#"{"slug":"\#(mixed)bbbbbbbbbbbbbbbbbbbbb","tags":[]}"#.utf8))
        #expect(outgrown.status == 400)
        let valid = await timed(Self.patterns, "POST", "/slugs", contentType: "application/json", body: Array(#"{"slug":"aab","tags":["aaaa","xxy"]}"#.utf8))
        #expect(valid.status == 400)
        // The slug matches; each tag breaks one of its two rules.
        #expect(valid.json?["issues"]?.arrayValue?.compactMap { $0["field"]?.stringValue } == ["tags[0]", "tags[1]"])
    }

    @Test func rulesOverAMegabyteAreLinear() async throws {
        var invalid = Array(#"{"numbers":["#.utf8)
        var elements = 0
        while invalid.count < Self.megabyte - 10 {
            invalid += Array("11,".utf8)
            elements += 1
        }
        invalid.removeLast()
        invalid += Array("]}".utf8)
        let refused = await timed(Self.validating, "POST", "/strict", contentType: "application/json", body: invalid)
        #expect(refused.status == 400)
        #expect(refused.json?["issues"]?.arrayValue?.count == ValidationFailure.listLimit)
        // Each element breaks two rules, and the array repeats itself.
        #expect(refused.json?["issueCount"]?.intValue == 2 * elements + 1)

        var distinct = Array(#"{"numbers":["#.utf8)
        var number = 0
        while distinct.count < Self.megabyte - 20 {
            distinct += Array("\(number * 2),".utf8)
            number += 1
        }
        distinct += Array("0]}".utf8)
        let repeated = await timed(Self.validating, "POST", "/strict", contentType: "application/json", body: distinct)
        #expect(repeated.status == 400)
        #expect(repeated.json?["issues"]?[0]?["code"] == "not_unique")

        var unknown = Array(#"{"numbers":[],"#.utf8)
        var key = 0
        while unknown.count < Self.megabyte - 20 {
            unknown += Array("\"k\(key)\":0,".utf8)
            key += 1
        }
        unknown += Array(#""end":0}"#.utf8)
        let strict = await timed(Self.validating, "POST", "/strict", contentType: "application/json", body: unknown)
        #expect(strict.status == 400)
        #expect(strict.json?["issues"]?[0]?["code"] == "unrecognized_keys")
    }
}
