import Nozzle
import NozzleTesting
import Testing

/// Types whose schemas the document reads from their `Decodable` conformance.
struct Address: Codable {
    var street: String
    var zip: Int32?
}

struct Person: Codable {
    enum Role: String, Codable, CaseIterable { case admin, member }
    enum Mood: String, Codable { case happy }

    var name: String
    var age: Int
    var height: Double
    var active: Bool
    var role: Role
    var tags: [String]
    var addresses: [Address]
    var nickname: String?
}

final class TreeNode: Codable {
    var label: String = ""
    var children: [TreeNode] = []
}

struct Moody: Codable {
    var before: String
    var mood: Person.Mood
    var after: String
}

struct OpenAPITests {
    @Test func schemasComeFromDecodableTypes() {
        let schema = OperationSchema.schema(of: Person.self)
        #expect(schema["type"] == "object")
        #expect(schema["required"] == ["name", "age", "height", "active", "role", "tags", "addresses"])
        let properties = schema["properties"]
        #expect(properties?["name"] == ["type": "string"])
        #expect(properties?["age"] == ["type": "integer", "format": "int64"])
        #expect(properties?["height"] == ["type": "number", "format": "double"])
        #expect(properties?["active"] == ["type": "boolean"])
        #expect(properties?["role"] == ["type": "string", "enum": ["admin", "member"]])
        #expect(properties?["tags"] == ["type": "array", "items": ["type": "string"]])
        #expect(properties?["addresses"]?["items"]?["required"] == ["street"])
        #expect(properties?["addresses"]?["items"]?["properties"]?["zip"] == ["type": "integer", "format": "int32"])
        #expect(properties?["nickname"] == ["type": "string"])
    }

    @Test func aRecursiveTypeEndsAndATypeThatRejectsPlaceholdersShowsWhatWasRead() {
        // Nested as deep as the decoder goes, then any value: it ends.
        let tree = OperationSchema.schema(of: TreeNode.self)
        #expect(tree["properties"]?["label"] == ["type": "string"])
        #expect(tree["properties"]?["children"]?["type"] == "array")
        // An enum with raw values that is not CaseIterable rejects "": what came before it remains.
        let moody = OperationSchema.schema(of: Moody.self)
        #expect(moody["properties"]?["before"] == ["type": "string"])
        #expect(moody["properties"]?["after"] == nil)
    }

    func app(timeout: Bool = false) -> App {
        var app = App(routes: RouteTable([
            Route("/api/users/[id]", file: "api/users/[id].swift",
                  config: RouteConfig(bodyParser: .init(sizeLimit: "200kb"), schemas: [
                      "GET": OperationSchema(response: Person.self),
                      "PATCH": OperationSchema(request: Address.self, response: Person.self, status: 202),
                  ]),
                  handlers: ["GET": { _, _ in }, "PATCH": { _, _ in }],
                  documentation: RouteDocumentation("One user.\n\nBy id; 404 when there is none.", handlers: ["PATCH": "Changes the address."])),
            Route("/api/files/[...path]", file: "api/files/[...path].swift", handlers: ["GET": { _, _ in }]),
            Route("/api/docs/[[...page]]", file: "api/docs/[[...page]].swift", config: RouteConfig(bodyParser: false), handlers: ["*": { _, _ in }]),
        ]))
        if timeout { app.requestTimeout = .seconds(5) }
        return app
    }

    @Test func eachRouteIsAPathWithItsMethodsParamsAndAnswers() throws {
        let document = OpenAPIDocument.json(for: app(), defaultTitle: "users")
        #expect(document["openapi"] == "3.1.0")
        #expect(document["info"]?["title"] == "users")
        let paths = try #require(document["paths"]?.objectValue)
        #expect(paths.keys.sorted() == ["/api/docs", "/api/docs/{page}", "/api/files/{path}", "/api/users/{id}"])

        let user = try #require(paths["/api/users/{id}"])
        #expect(user["summary"] == "One user.")
        #expect(user["description"] == "By id; 404 when there is none.")
        #expect(user["parameters"]?[0]?["name"] == "id")
        #expect(user["parameters"]?[0]?["in"] == "path")
        #expect(user["parameters"]?[0]?["required"] == true)
        // GET and PATCH, its handlers; not the HEAD that GET serves nor the OPTIONS Nozzle answers.
        #expect(user.objectValue?.keys.filter { ["get", "head", "post", "put", "patch", "delete", "options"].contains($0) }.sorted() == ["get", "patch"])
        #expect(user["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"]?["properties"]?["role"]?["enum"] == ["admin", "member"])
        let patch = try #require(user["patch"])
        #expect(patch["summary"] == "Changes the address.")
        #expect(patch["requestBody"]?["required"] == true)
        #expect(patch["requestBody"]?["description"]?.stringValue?.contains("At most 200kb") == true)
        #expect(patch["requestBody"]?["content"]?["application/json"]?["schema"]?["required"] == ["street"])
        #expect(patch["responses"]?["202"]?["description"] == "Accepted")
        for answer in ["404", "405", "413", "500"] {
            #expect(patch["responses"]?[answer]?["$ref"] != nil, "\(answer)")
        }
        #expect(patch["responses"]?["504"] == nil)
        #expect(document["components"]?["responses"]?["MethodNotAllowed"]?["headers"]?["Allow"] != nil)

        // A catch-all is one parameter; an optional one is two paths; `handler` serves every method.
        #expect(paths["/api/files/{path}"]?["parameters"]?[0]?["description"]?.stringValue?.contains("One or more path segments") == true)
        #expect(paths["/api/docs"]?["parameters"] == nil)
        #expect(paths["/api/docs/{page}"]?["parameters"]?[0]?["name"] == "page")
        #expect(paths["/api/docs"]?["delete"] != nil)
        #expect(paths["/api/docs"]?["post"]?["requestBody"]?["content"]?["application/octet-stream"] != nil)

        // Operation ids are unique across the document.
        var ids: [String] = []
        for (_, item) in paths.members {
            for (_, operation) in item.objectValue?.members ?? [] { if let id = operation["operationId"]?.stringValue { ids.append(id) } }
        }
        #expect(Set(ids).count == ids.count)
        #expect(ids.contains("getApiUsersId"))
    }

    @Test func aRequestTimeoutAddsA504() {
        let document = OpenAPIDocument.json(for: app(timeout: true), defaultTitle: "users")
        #expect(document["paths"]?["/api/users/{id}"]?["get"]?["responses"]?["504"]?["$ref"] == "#/components/responses/Timeout")
        #expect(document["components"]?["responses"]?["Timeout"] != nil)
    }

    /// A guard that answers 401 for the methods it guards, and says so.
    struct Guard: Middleware {
        func handle(_ req: Request, _ res: Response, next: Next) async throws {
            guard req.method != "DELETE" else { throw HTTPError(401, "Unauthorized") }
            try await next()
        }

        func documentedAnswers(for method: HTTPMethod) -> [Int: String] { method == .DELETE ? [401: "No token"] : [:] }
    }

    @Test func answersOfMiddlewareAndTheBodyParserAreDeclared() async {
        var app = App(routes: RouteTable([
            Route("/items/[id]", file: "api/items/[id].swift", config: RouteConfig(middleware: [Guard()]), handlers: [
                "GET": { _, res in res.end("item") }, "PUT": { _, res in res.end("put") }, "DELETE": { _, res in res.status(204).end() },
            ]),
            Route("/stream", file: "api/stream.swift", config: RouteConfig(bodyParser: false), handlers: ["POST": { _, res in res.end() }]),
        ]))
        app.use(RateLimit(limit: 1, window: .seconds(60)))
        let document = OpenAPIDocument.json(for: app, defaultTitle: "t")
        let item = document["paths"]?["/items/{id}"]
        // The rate limit runs for every operation: each lists its 429, with `Retry-After`.
        for method in ["get", "put", "delete"] {
            #expect(item?[method]?["responses"]?["429"]?["$ref"] == "#/components/responses/TooManyRequests", "\(method)")
        }
        #expect(document["paths"]?["/stream"]?["post"]?["responses"]?["429"] != nil)
        #expect(document["components"]?["responses"]?["TooManyRequests"]?["headers"]?["Retry-After"] != nil)
        // The route's guard, for the one method it guards.
        #expect(item?["delete"]?["responses"]?["401"]?["description"] == "No token")
        #expect(item?["get"]?["responses"]?["401"] == nil)
        // 415 where the body parser reads a body, not where the route streams it itself.
        #expect(item?["put"]?["responses"]?["415"]?["$ref"] == "#/components/responses/UnsupportedMediaType")
        #expect(item?["get"]?["responses"]?["415"] == nil)
        #expect(document["paths"]?["/stream"]?["post"]?["responses"]?["415"] == nil)
        // And the app gives what the document says.
        let client = TestClient(app: app)
        #expect(await client.request("DELETE", "/items/1").status == 401)
        #expect(await client.request("GET", "/items/1").status == 429)
        let compressed = await TestClient(app: App(routes: RouteTable([Route("/p", config: RouteConfig(bodyParser: .init(inflate: false)), handlers: ["POST": { _, res in res.end() }])])))
            .request("POST", "/p", headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], body: Array("{}".utf8))
        #expect(compressed.status == 415)
    }

    @Test func prettyTextIsTheSameJSON() throws {
        let document = OpenAPIDocument.json(for: app(), defaultTitle: "users")
        #expect(try JSON(parsing: document.prettyText) == document)
        #expect(document.prettyText.hasPrefix("{\n  \"openapi\": \"3.1.0\",\n"))
    }
}
