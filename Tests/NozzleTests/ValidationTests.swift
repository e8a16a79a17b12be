import Nozzle
import NozzleTesting
import Testing

/// Validation rules declared beside a type: each rule on both sides of its bounds, its JSON Schema
/// form, and what a client gets for a body that breaks several.
struct ValidationTests {
    /// The seed's zod example: `z.object({ title: z.string().min(1).max(200), content: z.string().min(1) })`.
    struct NewPost: Decodable, Validatable {
        var title: String
        var content: String

        static func validations(_ rules: inout Validations) {
            rules.add("title", as: String.self, is: .count(1...200))
            rules.add("content", as: String.self, is: .count(1...))
        }
    }

    /// Runs `validator` on `value` as the body `{"v": value}`; the issues' codes.
    static func codes<Value: ValidatedValue>(_ type: Value.Type, _ validator: Validator<Value>, _ value: JSON, lenient: Bool = false) -> [String] {
        var rules = Validations()
        rules.add("v", as: type, is: validator)
        var failure = ValidationFailure()
        rules.validate(["v": value], lenient: lenient, failure: &failure)
        return failure.issues.map(\.code)
    }

    /// The JSON Schema `validator` writes for a `type`.
    static func schema<Value: ValidatedValue>(_ type: Value.Type, _ validator: Validator<Value>) -> JSON {
        var rules = Validations()
        rules.add("v", as: type, is: validator)
        var object = JSONObject()
        rules.describe(&object)
        return object["properties"]?["v"] ?? .null
    }

    @Test func stringLengthIsCheckedOnBothSides() {
        let rule = Validator<String>.count(2...4)
        #expect(Self.codes(String.self, rule, "a") == ["too_small"])
        #expect(Self.codes(String.self, rule, "ab") == [])
        #expect(Self.codes(String.self, rule, "abcd") == [])
        #expect(Self.codes(String.self, rule, "abcde") == ["too_big"])
        // Counted in Unicode scalars, as JSON Schema counts: "é😀" is two.
        #expect(Self.codes(String.self, rule, "é😀") == [])
        #expect(Self.codes(String.self, .count(1...), "") == ["too_small"])
        #expect(Self.codes(String.self, .count(...3), "abcd") == ["too_big"])
        #expect(Self.schema(String.self, rule) == ["type": "string", "minLength": 2, "maxLength": 4])
        #expect(Self.schema(String.self, .count(1...)) == ["type": "string", "minLength": 1])
    }

    @Test(arguments: [
        ("ada@example.com", true), ("a.b+c@mail.example.org", true), ("!#$%&'*+-/=?^_`{|}~@example.com", true),
        ("ada@", false), ("@example.com", false), ("ada.@example.com", false), ("a..b@example.com", false),
        ("ada@localhost", false), ("ada@-example.com", false), ("ada@example.123", false), ("ada example@x.com", false),
        ("ada@example.com.", false),
    ])
    func email(text: String, valid: Bool) {
        #expect(Self.codes(String.self, .email, .string(text)) == (valid ? [] : ["invalid_string"]))
    }

    @Test(arguments: [
        ("123e4567-e89b-12d3-a456-426614174000", true), ("123E4567-E89B-12D3-A456-426614174000", true),
        ("123e4567e89b12d3a456426614174000", false), ("123e4567-e89b-12d3-a456-42661417400g", false),
        ("123e4567-e89b-12d3-a456-4266141740000", false),
    ])
    func uuid(text: String, valid: Bool) {
        #expect(Self.codes(String.self, .uuid, .string(text)) == (valid ? [] : ["invalid_string"]))
    }

    @Test(arguments: [
        ("2026-12-05T20:36:00Z", true), ("2026-12-05t20:36:00.123456+01:00", true), ("2024-02-29T00:00:00Z", true),
        ("2016-12-31T23:59:60Z", true), ("2025-02-29T00:00:00Z", false), ("2026-13-01T00:00:00Z", false),
        ("2026-12-05 20:36:00Z", false), ("2026-12-05T24:00:00Z", false), ("2026-12-05T20:36:00", false),
        ("2026-12-05T20:36:00+0100", false), ("2026-12-05T20:36:00.Z", false),
    ])
    func dateTime(text: String, valid: Bool) {
        #expect(Self.codes(String.self, .dateTime, .string(text)) == (valid ? [] : ["invalid_string"]))
    }

    @Test(arguments: [
        ("https://example.com/a?b=c#d", true), ("mailto:ada@example.com", true), ("urn:isbn:0451450523", true),
        ("https://example.com/%C3%A9", true), ("/relative/path", false), ("https://example.com/a b", false),
        ("https://example.com/%zz", false), ("1http://example.com", false), ("", false),
    ])
    func uri(text: String, valid: Bool) {
        #expect(Self.codes(String.self, .uri, .string(text)) == (valid ? [] : ["invalid_string"]))
    }

    @Test func formatsAndEnumerationsGoIntoTheSchema() {
        #expect(Self.schema(String.self, .email) == ["type": "string", "format": "email"])
        #expect(Self.schema(String.self, .uuid)["format"] == "uuid")
        #expect(Self.schema(String.self, .dateTime)["format"] == "date-time")
        #expect(Self.schema(String.self, .uri)["format"] == "uri")
        #expect(Self.schema(String.self, .oneOf(["draft", "published"])) == ["type": "string", "enum": ["draft", "published"]])
        #expect(Self.codes(String.self, .oneOf(["draft", "published"]), "draft") == [])
        #expect(Self.codes(String.self, .oneOf(["draft", "published"]), "Draft") == ["invalid_enum_value"])
    }

    @Test func patternsAreSearchedForAndWrittenIntoTheSchema() {
        let slug = Validator<String>.pattern("^[a-z0-9-]+$")
        #expect(Self.codes(String.self, slug, "a-slug") == [])
        #expect(Self.codes(String.self, slug, "A slug") == ["invalid_string"])
        #expect(Self.schema(String.self, slug) == ["type": "string", "pattern": "^[a-z0-9-]+$"])
        // A schema has one `pattern`: a second goes into `allOf`, and both are checked.
        let both = Validator<String>.notBlank && .pattern("^[^@]*$")
        #expect(Self.schema(String.self, both) == ["type": "string", "pattern": "\\S", "allOf": [["pattern": "^[^@]*$"]]])
        #expect(Self.codes(String.self, both, "  ") == ["invalid_string"])
        #expect(Self.codes(String.self, both, "a@b") == ["invalid_string"])
        var failure = ValidationFailure()
        var rules = Validations()
        rules.add("slug", as: String.self, is: slug)
        rules.validate(["slug": "Hello World"], lenient: false, failure: &failure)
        #expect(failure.issues.first?.message == "String must match the pattern ^[a-z0-9-]+$")
    }

    @Test func aPatternThatDoesNotCompileStopsTheAppAtStart() {
        struct Post: Decodable, Validatable {
            var slug: String
            static func validations(_ rules: inout Validations) { rules.add("slug", as: String.self, is: .count(1...) && .pattern("^(?=a)")) }
        }
        let app = App(routes: RouteTable([
            Route("/t", file: "api/t.swift", config: RouteConfig(schemas: [.POST: OperationSchema(request: Post.self)]), handlers: ["POST": { _, _ in }]),
        ]))
        #expect(app.configurationErrors == [
            "api/t.swift: POST: Post: 'slug': the pattern ^(?=a) does not compile: lookahead and lookbehind are not taken: they need backtracking (at offset 3)",
        ])
    }

    @Test func numberRangesIncludeOrExcludeTheirBounds() {
        let inclusive = Validator<Int>.range(0...150)
        #expect(Self.codes(Int.self, inclusive, -1) == ["too_small"])
        #expect(Self.codes(Int.self, inclusive, 0) == [])
        #expect(Self.codes(Int.self, inclusive, 150) == [])
        #expect(Self.codes(Int.self, inclusive, 151) == ["too_big"])
        #expect(Self.schema(Int.self, inclusive) == ["type": "integer", "minimum": 0, "maximum": 150])
        let exclusive = Validator<Double>.greaterThan(0) && .lessThan(1)
        #expect(Self.codes(Double.self, exclusive, 0) == ["too_small"])
        #expect(Self.codes(Double.self, exclusive, .double(0.000_001)) == [])
        #expect(Self.codes(Double.self, exclusive, .double(0.999_999)) == [])
        #expect(Self.codes(Double.self, exclusive, 1) == ["too_big"])
        #expect(Self.schema(Double.self, exclusive) == ["type": "number", "exclusiveMinimum": 0.0, "exclusiveMaximum": 1.0])
        #expect(Self.codes(Int.self, .range(1...), 0) == ["too_small"])
        #expect(Self.codes(Int.self, .range(...9), 10) == ["too_big"])
        #expect(Self.codes(Int.self, .multipleOf(5), 10) == [])
        #expect(Self.codes(Int.self, .multipleOf(5), 11) == ["not_multiple_of"])
        #expect(Self.codes(Int.self, .oneOf([1, 2, 3]), 4) == ["invalid_enum_value"])
        #expect(Self.schema(Int.self, .oneOf([1, 2])) == ["type": "integer", "enum": [1, 2]])
    }

    @Test func integersMustBeWhole() {
        #expect(Self.codes(Int.self, .valid, .double(1.5)) == ["invalid_type"])
        #expect(Self.codes(Int.self, .valid, .double(2.0)) == [])
        #expect(Self.codes(Int.self, .valid, "2") == ["invalid_type"])
        // A query's or a form's strings are numbers when they read as one.
        #expect(Self.codes(Int.self, .valid, "2", lenient: true) == [])
        #expect(Self.codes(Int.self, .valid, "2.5", lenient: true) == ["invalid_type"])
        #expect(Self.codes(Double.self, .valid, "2.5", lenient: true) == [])
        #expect(Self.codes(Bool.self, .valid, "on", lenient: true) == [])
        #expect(Self.codes(String.self, .valid, 5) == ["invalid_type"])
    }

    @Test func arrayLengthAndUniqueness() {
        let rule = Validator<[String]>.count(1...3) && .unique
        #expect(Self.codes([String].self, rule, []) == ["too_small"])
        #expect(Self.codes([String].self, rule, ["a"]) == [])
        #expect(Self.codes([String].self, rule, ["a", "b", "c"]) == [])
        #expect(Self.codes([String].self, rule, ["a", "b", "c", "d"]) == ["too_big"])
        #expect(Self.codes([String].self, rule, ["a", "a"]) == ["not_unique"])
        #expect(Self.codes([String].self, rule, ["a", 1]) == ["invalid_type"])
        #expect(Self.schema([String].self, rule) == [
            "type": "array", "items": ["type": "string"], "minItems": 1, "maxItems": 3, "uniqueItems": true,
        ])
    }

    /// An order: nested objects, arrays of objects, optional fields, unknown members refused.
    struct Order: Decodable, Validatable {
        struct Line: Decodable {
            var sku: String
            var quantity: Int
        }
        var email: String
        var note: String?
        var shipping: [String: String]
        var lines: [Line]

        static func validations(_ rules: inout Validations) {
            rules.unknownFields = .refused
            rules.add("email", as: String.self, is: .email)
            rules.add("note", as: String.self, is: .count(...500), required: false)
            rules.add("shipping") { address in
                address.add("city", as: String.self, is: .count(1...))
                address.add("zip", as: String.self, is: .count(5...5))
            }
            rules.add("lines", as: [JSON].self, is: .count(1...50))
            rules.add(each: "lines") { line in
                line.add("sku", as: String.self, is: .count(1...20))
                line.add("quantity", as: Int.self, is: .range(1...99))
            }
        }
    }

    @Test func everyIssueOfABodyIsListedWithItsPath() async throws {
        let client = TestClient(app: App(routes: RouteTable([Route("/orders", handlers: ["POST": { req, res in
            let order = try req.body.decode(Order.self)
            res.status(201).json(["lines": .int(order.lines.count)])
        }])])))
        let body = #"{"email":"not-an-email","note":null,"shipping":{"zip":"123"},"lines":[{"sku":"A1","quantity":0},{"sku":"","quantity":2.5}],"coupon":"X"}"#
        let response = await client.request("POST", "/orders", headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        #expect(response.status == 400)
        let json = try #require(response.json)
        #expect(json["error"] == "Invalid request body")
        // The first issue also fills the members a decoding failure has.
        #expect(json["field"] == "email")
        #expect(json["reason"] == "Invalid email")
        let issues = try #require(json["issues"]?.arrayValue)
        #expect(issues.map { $0["field"]?.stringValue ?? "" } == [
            "email", "shipping.city", "shipping.zip", "lines[0].quantity", "lines[1].sku", "lines[1].quantity", "",
        ])
        #expect(issues.map { $0["code"]?.stringValue ?? "" } == [
            "invalid_string", "invalid_type", "too_small", "too_small", "too_small", "invalid_type", "unrecognized_keys",
        ])
        #expect(issues[3]["path"] == ["lines", 0, "quantity"])
        #expect(issues[1]["message"] == "Required")
        #expect(issues[6]["message"] == "Unrecognized key(s) in object: 'coupon'")

        let valid = #"{"email":"ada@example.com","shipping":{"city":"London","zip":"12345"},"lines":[{"sku":"A1","quantity":3}]}"#
        let created = await client.request("POST", "/orders", headers: [("Content-Type", "application/json")], body: Array(valid.utf8))
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json?["lines"] == 1)
    }

    @Test func rulesGoIntoTheOpenAPISchema() {
        let schema = OperationSchema.schema(of: Order.self)
        #expect(schema["additionalProperties"] == false)
        #expect(schema["required"] == ["email", "shipping", "lines"])
        #expect(schema["properties"]?["email"] == ["type": "string", "format": "email"])
        // Optional: it may be left out, or null, as decoding into an optional takes it.
        #expect(schema["properties"]?["note"] == ["type": ["string", "null"], "maxLength": 500])
        #expect(schema["properties"]?["shipping"]?["properties"]?["zip"] == ["type": "string", "minLength": 5, "maxLength": 5])
        #expect(schema["properties"]?["shipping"]?["required"] == ["city", "zip"])
        #expect(schema["properties"]?["lines"]?["minItems"] == 1)
        #expect(schema["properties"]?["lines"]?["items"]?["properties"]?["quantity"] == ["type": "integer", "format": "int64", "minimum": 1, "maximum": 99])
        #expect(OperationSchema.schema(of: NewPost.self)["properties"]?["title"] == ["type": "string", "minLength": 1, "maxLength": 200])
    }

    @Test func aQueryIsValidatedTheSameWay() async throws {
        struct Page: Decodable, Validatable {
            var page: Int
            var size: Int?
            static func validations(_ rules: inout Validations) {
                rules.add("page", as: Int.self, is: .range(1...))
                rules.add("size", as: Int.self, is: .range(1...100), required: false)
            }
        }
        let client = TestClient(app: App(routes: RouteTable([Route("/items", handlers: ["GET": { req, res in
            let page = try req.query.decode(Page.self)
            res.json(["page": .int(page.page)])
        }])])))
        #expect(await client.request("GET", "/items?page=2").json == ["page": 2])
        let refused = await client.request("GET", "/items?page=0&size=500")
        #expect(refused.status == 400)
        #expect(refused.json?["error"] == "Invalid query")
        #expect(refused.json?["issues"]?.arrayValue?.map { $0["field"]?.stringValue ?? "" } == ["page", "size"])
        let notANumber = await client.request("GET", "/items?page=two")
        #expect(notANumber.json?["field"] == "page")
        #expect(notANumber.json?["reason"] == "Expected integer, received string")
    }

    @Test func aRuleNamingNoFieldStopsTheAppAtStart() {
        struct Typo: Decodable, Validatable {
            var name: String
            static func validations(_ rules: inout Validations) { rules.add("nmae", as: String.self, is: .count(1...)) }
        }
        let app = App(routes: RouteTable([
            Route("/t", file: "api/t.swift", config: RouteConfig(schemas: [.POST: OperationSchema(request: Typo.self)]), handlers: ["POST": { _, _ in }]),
        ]))
        #expect(app.configurationErrors == ["api/t.swift: POST: Typo: a validation rule names 'nmae', which Typo does not decode"])
    }

    @Test func manyIssuesAreCountedAndTheListIsBounded() throws {
        var rules = Validations()
        rules.add(each: "v", as: Int.self, is: .range(0...9))
        var failure = ValidationFailure()
        rules.validate(["v": .array(Array(repeating: 10, count: 5_000))], lenient: false, failure: &failure)
        #expect(failure.count == 5_000)
        #expect(failure.issues.count == ValidationFailure.listLimit)
    }

    struct ItemPath: Decodable, Validatable {
        var id: Int
        static func validations(_ rules: inout Validations) { rules.add("id", as: Int.self, is: .range(1...)) }
    }

    struct Listing: Decodable, Validatable {
        var limit: Int?
        var sort: String?
        static func validations(_ rules: inout Validations) {
            rules.add("limit", as: Int.self, is: .range(1...100), required: false)
            rules.add("sort", as: String.self, is: .oneOf(["name", "date"]), required: false)
        }
    }

    static let declaredApp = App(routes: RouteTable([
        Route("/items/[id]", file: "api/items/[id].swift", config: RouteConfig(params: ItemPath.self, schemas: [
            .GET: OperationSchema(status: 200).query(Listing.self),
        ]), handlers: ["GET": { req, res in res.json(["id": .string(req.params["id"] ?? "")]) }, "DELETE": { _, res in res.status(204).end() }]),
    ]))

    @Test func declaredPathAndQueryParametersAreCheckedBeforeTheHandler() async throws {
        let client = TestClient(app: Self.declaredApp)
        #expect(await client.request("GET", "/items/7?limit=10&sort=name").json == ["id": "7"])
        let badID = await client.request("GET", "/items/x")
        #expect(badID.status == 400)
        #expect(badID.json?["error"] == "Invalid path parameter")
        #expect(badID.json?["field"] == "id")
        #expect(badID.json?["reason"] == "Expected integer, received string")
        // The path's rules hold for every method; the query's for the method that declares them.
        #expect(await client.request("DELETE", "/items/0").json?["issues"]?[0]?["code"] == "too_small")
        #expect(await client.request("DELETE", "/items/3?limit=9999").status == 204)
        let badQuery = await client.request("GET", "/items/3?limit=0&sort=size")
        #expect(badQuery.status == 400)
        #expect(badQuery.json?["error"] == "Invalid query")
        #expect(badQuery.json?["issues"]?.arrayValue?.map { $0["field"]?.stringValue ?? "" } == ["limit", "sort"])
    }

    @Test func declaredParametersGoIntoTheDocument() throws {
        let document = OpenAPIDocument.json(for: Self.declaredApp, defaultTitle: "t")
        let path = try #require(document["paths"]?["/items/{id}"])
        #expect(path["parameters"]?[0]?["schema"] == ["type": "integer", "format": "int64", "minimum": 1])
        let query = try #require(path["get"]?["parameters"]?.arrayValue)
        #expect(query.map { $0["name"]?.stringValue ?? "" }.sorted() == ["limit", "sort"])
        #expect(query.first { $0["name"] == "sort" }?["schema"] == ["type": "string", "enum": ["name", "date"]])
        #expect(query.allSatisfy { $0["in"] == "query" && $0["required"] == false })
        #expect(path["get"]?["responses"]?["400"] == ["$ref": "#/components/responses/BadRequest"])
        #expect(path["delete"]?["responses"]?["400"] == ["$ref": "#/components/responses/BadRequest"])
    }

    @Test func aDeclaredParameterTheRouteDoesNotHaveStopsTheAppAtStart() {
        struct Wrong: Decodable, Validatable {
            var slug: String
            static func validations(_ rules: inout Validations) { rules.add("slug", as: String.self, is: .count(1...)) }
        }
        let app = App(routes: RouteTable([Route("/items/[id]", file: "api/items/[id].swift", config: RouteConfig(params: Wrong.self), handlers: ["GET": { _, _ in }])]))
        #expect(app.configurationErrors == ["api/items/[id].swift: params: 'slug' is not a parameter of /items/[id]"])
    }
}
