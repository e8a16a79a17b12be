import Nozzle
import NozzleTesting
import Testing

/// The Blitz.js seed's routes, plus a few to show fallback and precedence.
let seedRoutes = RouteTable([
    Route("/api/hello", file: "api/hello.swift", handlers: ["GET": { _, res in res.json(["name": "John Doe"]) }]),
    Route("/api/post/[pid]", file: "api/post/[pid].swift", handlers: ["*": { req, res in res.end("Post: \(req.query["pid"]!)") }]),
    Route("/api/post/[...slug]", file: "api/post/[...slug].swift", handlers: ["*": { req, res in
        res.end("Post: \(req.query.all("slug").joined(separator: ", "))")
    }]),
    Route("/api/post/create", file: "api/post/create.swift", handlers: ["*": { _, res in res.end("create") }]),
    Route("/api/optional/[[...slug]]", file: "api/optional/[[...slug]].swift", handlers: ["*": { req, res in res.json(req.query.json) }]),
    Route("/api/users/[id]", file: "api/users/[id].swift", handlers: [
        "GET": { req, res in res.json(["id": .string(req.params["id"]!)]) },
        "DELETE": { _, res in res.status(204).end() },
    ]),
    Route("/api/users/me/settings", file: "api/users/me/settings.swift", handlers: ["GET": { _, res in res.end("settings") }]),
    Route("/api/users/[id]/posts", file: "api/users/[id]/posts.swift", handlers: ["GET": { req, res in
        res.end("posts of \(req.params["id"]!)")
    }]),
])

struct RouteMatchingTests {
    /// Each request and the text it must get back, from the seed and the precedence rules.
    @Test(arguments: [
        ("/api/hello", #"{"name":"John Doe"}"#),
        ("/api/post/abc", "Post: abc"),
        ("/api/post/a/b/c", "Post: a, b, c"),
        ("/api/post/create", "create"),
        ("/api/optional", "{}"),
        ("/api/optional/a", #"{"slug":["a"]}"#),
        ("/api/optional/a/b", #"{"slug":["a","b"]}"#),
        ("/api/post/a", "Post: a"),
        ("/api/post/create/more", "Post: create, more"),
        ("/api/users/me/settings", "settings"),
        ("/api/users/me/posts", "posts of me"),
        ("/api/users/42/posts", "posts of 42"),
        ("/api/users/", "{\"error\":\"Not found\"}"),
        ("/api/users/7/", #"{"id":"7"}"#),
        ("/api/post/a%2Fb", "Post: a/b"),
        ("/api/post/caf%C3%A9", "Post: café"),
        ("/api/post/a%2Fb/c", "Post: a/b, c"),
        ("/api/optional/a?x=1", #"{"x":"1","slug":["a"]}"#),
        ("/api/optional/a?slug=q", #"{"slug":["a"]}"#),
    ])
    func answers(path: String, expected: String) async {
        let response = await TestClient(app: App(routes: seedRoutes)).request("GET", path)
        #expect(response.text == expected)
    }

    @Test func unknownPathIs404JSON() async {
        let response = await TestClient(app: App(routes: seedRoutes)).request("GET", "/api/nope")
        #expect(response.status == 404)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(response.json == ["error": "Not found"])
    }

    @Test func missingMethodIs405WithExactAllow() async {
        let response = await TestClient(app: App(routes: seedRoutes)).request("POST", "/api/users/1")
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "GET, HEAD, DELETE")
    }

    @Test func headIsServedByGetWithoutBody() async {
        let response = await TestClient(app: App(routes: seedRoutes)).request("HEAD", "/api/hello")
        #expect(response.status == 200)
        #expect(response.headers["Content-Length"] == "19")
        #expect(response.body.isEmpty)
    }

    @Test func optionsGets204WithAllow() async {
        let response = await TestClient(app: App(routes: seedRoutes)).request("OPTIONS", "/api/users/1")
        #expect(response.status == 204)
        #expect(response.headers["Allow"] == "GET, HEAD, DELETE")
        #expect(response.body.isEmpty)
    }

    /// The route plugin's form, a list of `RouteHandler`s: each method answers with its own
    /// handler, HEAD with GET's, a method listed twice with its first, and `handlers` reads them back.
    @Test func routeHandlersListedAsThePluginWritesThem() async throws {
        let route = Route("/api/item", file: "api/item.swift", handlers: [
            RouteHandler("GET", { _, res in res.send("get") }),
            RouteHandler("PATCH", { _, res in res.send("patch") }),
            RouteHandler("GET", { _, res in res.send("second get") }),
        ])
        #expect(route.handlers.keys.sorted() == ["GET", "PATCH"])
        #expect(route.allowedMethods == ["GET", "HEAD", "PATCH"])
        let client = TestClient(app: App(routes: RouteTable([route])))
        #expect(await client.request("GET", "/api/item").text == "get")
        #expect(await client.request("PATCH", "/api/item").text == "patch")
        let head = await client.request("HEAD", "/api/item")
        #expect(head.status == 200 && head.headers["Content-Length"] == "3" && head.body.isEmpty)
        let refused = await client.request("POST", "/api/item")
        #expect(refused.status == 405 && refused.headers["Allow"] == "GET, HEAD, PATCH")
    }

    /// `RouteConfig(methods:)` narrows what a `handler` answers: the rest get 405 with `Allow`,
    /// OPTIONS gets Nozzle's 204, HEAD comes with GET, and the document lists only those methods.
    @Test func aHandlerAnswersOnlyTheMethodsItDeclares() async throws {
        let app = App(routes: RouteTable([
            Route("/post/[pid]", file: "api/post/[pid].swift", config: RouteConfig(methods: [.GET, .POST]), handlers: ["*": { req, res in
                res.end("\(req.method) \(req.params["pid"]!)")
            }]),
        ]))
        let client = TestClient(app: app)
        #expect(await client.request("GET", "/post/a").text == "GET a")
        #expect(await client.request("POST", "/post/a").text == "POST a")
        let head = await client.request("HEAD", "/post/a")
        #expect(head.status == 200 && head.body.isEmpty)
        for method in ["DELETE", "PUT", "PATCH", "PURGE"] {
            let refused = await client.request(method, "/post/a")
            #expect(refused.status == 405, "\(method)")
            #expect(refused.headers["Allow"] == "GET, HEAD, POST", "\(method)")
        }
        let options = await client.request("OPTIONS", "/post/a")
        #expect(options.status == 204)
        #expect(options.headers["Allow"] == "GET, HEAD, POST")
        let path = OpenAPIDocument.json(for: app, defaultTitle: "t")["paths"]?["/post/{pid}"]
        let documented = ["get", "head", "post", "put", "patch", "delete", "options"].filter { path?[$0] != nil }
        #expect(documented == ["get", "post"])
        #expect(app.configurationErrors.isEmpty)
    }

    @Test func methodsOnARouteWithAFunctionPerMethodStopsTheApp() {
        let app = App(routes: RouteTable([
            Route("/t", file: "api/t.swift", config: RouteConfig(methods: [.GET]), handlers: ["GET": { _, res in res.end() }]),
        ]))
        #expect(app.configurationErrors == ["api/t.swift: methods: the route has a function per method, which are the methods it answers; `methods` is for `handler`"])
    }

    @Test func strictTrailingSlashRejectsTheSlash() async {
        var app = App(routes: seedRoutes)
        app.strictTrailingSlash = true
        let client = TestClient(app: app)
        #expect(await client.request("GET", "/api/hello/").status == 404)
        #expect(await client.request("GET", "/api/hello").status == 200)
    }

    @Test func basePathIsRemoved() async {
        var app = App(routes: seedRoutes)
        app.basePath = "/app"
        let response = await TestClient(app: app).request("GET", "/app/api/hello")
        #expect(response.status == 200)
    }

    @Test func pathInfoIsPartOfTheRoute() async {
        // lighttpd splits the URL into SCRIPT_NAME /api/users and PATH_INFO /42.
        let response = await TestClient(app: App(routes: seedRoutes))
            .request("GET", "/api/users", environment: ["PATH_INFO": "/42"])
        #expect(response.json == ["id": "42"])
    }

    @Test func matchIsByTrieNotOrder() {
        // A route added first must not shadow a more specific one added later.
        let table = RouteTable([
            Route("/a/[x]", handlers: ["GET": { _, _ in }]),
            Route("/a/b", handlers: ["GET": { _, _ in }]),
        ])
        #expect(table.match("/a/b")?.route.pattern == "/a/b")
        #expect(table.match("/a/c")?.route.pattern == "/a/[x]")
        #expect(table.match("/a")?.route.pattern == nil)
    }
}
