import NozzleRouteCompiler
import Testing

struct RoutePathTests {
    @Test(arguments: [
        ("api/hello.swift", "/api/hello"),
        ("api/index.swift", "/api"),
        ("api/posts/index.swift", "/api/posts"),
        ("api/post/[pid].swift", "/api/post/[pid]"),
        ("api/post/[...slug].swift", "/api/post/[...slug]"),
        ("api/optional/[[...slug]].swift", "/api/optional/[[...slug]]"),
        ("api/users/[id]/posts.swift", "/api/users/[id]/posts"),
        ("api/[...all]/index.swift", "/api/[...all]"),
        ("api/v1.2/health-check.swift", "/api/v1.2/health-check"),
    ])
    func mapsFileToPattern(file: String, pattern: String) throws {
        #expect(try RoutePath(file: file).pattern == pattern)
    }

    @Test(arguments: [
        ("api/[...slug]/edit.swift", "catch-all segment '[...slug]' must be the last part of the path"),
        ("api/[[...slug]]/edit.swift", "catch-all segment '[[...slug]]' must be the last part of the path"),
        ("api/[id.swift", "invalid segment name '[id': a dynamic segment is written [name]"),
        ("api/[].swift", "invalid segment name '[]': '' is not a valid param name (letters, digits and _)"),
        ("api/[a-b].swift", "invalid segment name '[a-b]': 'a-b' is not a valid param name (letters, digits and _)"),
        ("api/[[slug]].swift", "invalid segment name '[[slug]]': an optional catch-all is written [[...name]]"),
        ("api/a b.swift", "invalid segment name 'a b': use letters, digits, and - . _ ~ @ in a route segment"),
    ])
    func rejectsInvalidPaths(file: String, message: String) {
        #expect(throws: RouteDiagnostic(files: [file], message: message)) { try RoutePath(file: file) }
    }
}

struct RouteSourceScanTests {
    @Test func findsTypeAndHandlers() throws {
        let scan = try RouteSourceScan(source: """
            import Nozzle
            // enum Fake: APIRoute {}   (a comment is not a declaration)
            enum Users: APIRoute {
                static let config = RouteConfig(bodyParser: .init(sizeLimit: "500kb"))
                static func GET(_ req: Request, _ res: Response) async throws { res.send("static func POST") }
                static func POST(_ req: Request, _ res: Response) async throws {}
                static let PUT: Handler = POST
            }
            """, file: "api/users.swift")
        #expect(scan.typeName == "Users")
        #expect(scan.handlers == ["GET", "POST", "PUT"])
    }

    @Test func readsTheDocCommentsOfTheTypeAndEachHandler() throws {
        let scan = try RouteSourceScan(source: """
            import Nozzle

            /// Users of the app.
            ///
            /// Paged, oldest first.
            @available(*, deprecated)
            enum Users: APIRoute {
                /// One page of users.
                static func GET(_ req: Request, _ res: Response) async throws {}

                // Not a doc comment.
                static func POST(_ req: Request, _ res: Response) async throws {}

                /// Replaces a user: the same as POST.
                static let PUT: Handler = POST
                /// Not a handler's.
                static let limit = 5
            }
            """, file: "api/users.swift")
        #expect(scan.documentation == "Users of the app.\n\nPaged, oldest first.")
        #expect(scan.handlerDocumentation == ["GET": "One page of users.", "PUT": "Replaces a user: the same as POST."])
        #expect(!scan.declaresParams)
    }

    @Test func noticesARouteTypeThatDeclaresItsOwnParams() throws {
        for member in ["static func params(_ req: Request) -> [String] { [] }", "struct Params {}", "typealias Params = [String]"] {
            let scan = try RouteSourceScan(source: "enum R: APIRoute {\n    \(member)\n    static func GET(_ req: Request, _ res: Response) {}\n}", file: "api/r.swift")
            #expect(scan.declaresParams, "\(member)")
        }
    }

    @Test func acceptsASingleHandler() throws {
        let scan = try RouteSourceScan(source: "struct Any: Nozzle.APIRoute { static func handler(_ req: Request, _ res: Response) {} }", file: "a.swift")
        #expect(scan.handlers == ["handler"])
    }

    @Test(arguments: [
        ("import Nozzle\nenum X { static func GET() {} }", "no route type: declare one type that conforms to APIRoute, such as 'enum Hello: APIRoute { … }'"),
        ("enum A: APIRoute { static func GET() {} }\nenum B: APIRoute {}", "two route types (A, B): a route file declares exactly one type that conforms to APIRoute"),
        ("enum A: APIRoute { static func get() {} }", "A declares no handler: add 'static func GET(_ req: Request, _ res: Response) async throws' or another method"),
    ])
    func rejects(source: String, message: String) {
        #expect(throws: RouteDiagnostic(files: ["api/x.swift"], message: message)) { try RouteSourceScan(source: source, file: "api/x.swift") }
    }
}

struct RouteSetTests {
    let get = "enum R: APIRoute { static func GET(_ req: Request, _ res: Response) {} }"

    func compile(_ files: [String]) -> [RouteDiagnostic] {
        RouteSet.compile(files.map { ($0, get) }).1
    }

    @Test func sameBaseNamesInDifferentFoldersAreFine() {
        #expect(compile(["api/users/index.swift", "api/posts/index.swift", "api/users/[id].swift", "api/posts/[id].swift"]).isEmpty)
    }

    @Test func twoFilesForOneURL() {
        #expect(compile(["api/posts.swift", "api/posts/index.swift"]) == [
            RouteDiagnostic(files: ["api/posts.swift", "api/posts/index.swift"], message: "two files for one URL /api/posts: api/posts.swift and api/posts/index.swift")
        ])
    }

    @Test func optionalCatchAllBesideIndex() {
        #expect(compile(["api/opt/index.swift", "api/opt/[[...slug]].swift"]) == [
            RouteDiagnostic(files: ["api/opt/[[...slug]].swift", "api/opt/index.swift"], message: "two files for one URL /api/opt: api/opt/[[...slug]].swift and api/opt/index.swift")
        ])
    }

    @Test func differentParamNamesAtOnePosition() {
        #expect(compile(["api/users/[id].swift", "api/users/[slug]/posts.swift"]) == [
            RouteDiagnostic(files: ["api/users/[id].swift", "api/users/[slug]/posts.swift"], message: "different param names at one position: '[id]' in api/users/[id].swift and '[slug]' in api/users/[slug]/posts.swift; use one name")
        ])
    }

    @Test func catchAllBesideOptionalCatchAll() {
        #expect(compile(["api/p/[...x].swift", "api/p/[[...x]].swift"]) == [
            RouteDiagnostic(files: ["api/p/[...x].swift", "api/p/[[...x]].swift"], message: "'[...x]' in api/p/[...x].swift and '[[...x]]' in api/p/[[...x]].swift are a catch-all and an optional catch-all at one level; keep one")
        ])
    }

    @Test func reportsEveryProblemAtOnce() {
        let problems = compile(["api/a.swift", "api/a/index.swift", "api/[...x]/y.swift"])
        #expect(problems.count == 2)
    }

    @Test func generatedTableIsReadable() {
        let (routes, _) = RouteSet.compile([("api/post/[pid].swift", "enum PostByID: APIRoute { static func GET() {}; static func DELETE() {} }")])
        let source = RouteTableWriter.source(for: routes!)
        #expect(source.contains("""
                    Route(
                        "/api/post/[pid]",
                        file: "api/post/[pid].swift",
                        config: PostByID.config,
                        handlers: [
                            "GET": PostByID.GET,
                            "DELETE": PostByID.DELETE,
                        ]
                    ),
            """))
    }

    @Test func eachRouteGetsItsParamsTyped() {
        let (routes, _) = RouteSet.compile([
            ("api/post/[pid].swift", "enum PostByID: APIRoute { static func GET() {} }"),
            ("api/files/[...path].swift", "enum Files: APIRoute { static func GET() {} }"),
            ("api/docs/[[...page]].swift", "enum Docs: APIRoute { static func GET() {} }"),
            ("api/[org]/[default]/index.swift", "enum Repo: APIRoute { static func GET() {} }"),
            ("api/hello.swift", "enum Hello: APIRoute { static func GET() {} }"),
            ("api/own.swift", "enum Own: APIRoute { static func params(_ r: Request) -> Int { 1 }; static func GET() {} }"),
        ])
        let source = RouteTableWriter.source(for: routes!)
        #expect(source.contains("""
            extension PostByID {
                /// The params of `api/post/[pid].swift`, named by its path.
                struct Params: Sendable {
                    /// `[pid]`: one path segment.
                    let `pid`: String
                }

                /// This route's params, typed: `params(req).pid`.
                static func params(_ req: Nozzle.Request) -> Params {
                    Params(pid: req.params["pid"] ?? "")
                }
            }
            """))
        #expect(source.contains("let `path`: [String]"))
        #expect(source.contains("Params(path: req.params.all(\"path\"))"))
        #expect(source.contains("/// `[[...page]]`: the path segments, none when absent."))
        #expect(source.contains("Params(org: req.params[\"org\"] ?? \"\", default: req.params[\"default\"] ?? \"\")"))
        #expect(source.contains("extension Hello {"))
        #expect(source.contains("        Params()\n"))
        #expect(!source.contains("extension Own {"))
    }
}
