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
        ("import Nozzle\nenum X { static func GET() {} }", "no route type: declare one type that conforms to APIRoute, such as 'enum Hello: APIRoute { … }'", nil),
        ("enum A: APIRoute { static func GET() {} }\nenum B: APIRoute {}", "two route types (A, B): a route file declares exactly one type that conforms to APIRoute", 2),
        ("enum A: APIRoute { static func get() {} }", "A declares no handler: add 'static func GET(_ req: Request, _ res: Response) async throws' or another method ('get' is not a handler name: methods are upper case, 'GET')", 1),
        ("enum A: APIRoute {\n  static let x = 1\n}", "A declares no handler: add 'static func GET(_ req: Request, _ res: Response) async throws' or another method", nil),
        // What the route table could not call is an error at its line.
        ("enum A: APIRoute {\n  private static func GET() {}\n}", "A.GET is private: the route table calls it from another file; leave out 'private'", 2),
        ("enum A: APIRoute {}\nextension A {\n  fileprivate static func POST() {}\n}", "A.POST is fileprivate: the route table calls it from another file; leave out 'fileprivate'", 3),
        ("enum A: APIRoute {\n  #if DEBUG\n  static func GET() {}\n  #endif\n}", "A.GET is declared under #if: the route table calls it in every build; declare it outside #if", 3),
        ("#if os(Linux)\nenum A: APIRoute { static func GET() {} }\n#endif", "A is declared under #if: the route table refers to it in every build; declare it outside #if", 2),
        ("struct A: APIRoute {\n  func GET(_ req: Request, _ res: Response) {}\n}", "A.GET is not static: handlers are 'static func GET(_ req: Request, _ res: Response)'", 2),
        // What the scanner cannot read at all.
        ("enum A: APIRoute {\n  static let s = \"open\n  static func GET() {}\n}", "a string literal is not closed", 2),
        ("enum A: APIRoute {\n  /* never closed\n  static func GET() {}\n}", "a /* comment is not closed", 2),
        ("enum A: APIRoute {\n  static func GET() {\n}", "this '{' is never closed", 1),
        ("enum A: APIRoute { static func GET() {} }\n}", "this '}' closes no '{'", 2),
    ] as [(String, String, Int?)])
    func rejects(source: String, message: String, line: Int?) {
        #expect(throws: RouteDiagnostic(files: ["api/x.swift"], message: message, line: line)) { try RouteSourceScan(source: source, file: "api/x.swift") }
    }

    /// Handlers as people write them: any modifiers and attributes, in extensions, beside strings
    /// and comments that hold declarations, next to nested types with handler names of their own.
    @Test(arguments: [
        ("enum R: APIRoute {\n  static public func GET(_ req: Request, _ res: Response) {}\n}", ["GET"]),
        ("enum R: APIRoute {\n  nonisolated static func GET(_ req: Request, _ res: Response) {}\n}", ["GET"]),
        ("public enum R: APIRoute {\n  @Sendable public static func GET(_ req: Request, _ res: Response) {}\n}", ["GET"]),
        ("final class R: APIRoute {\n  class func GET(_ req: Request, _ res: Response) {}\n}", ["GET"]),
        ("enum R: APIRoute {\n  static func GET(_ req: Request, _ res: Response) {}\n}\nextension R {\n  static func POST(_ req: Request, _ res: Response) {}\n}", ["GET", "POST"]),
        ("extension R {\n  static let PUT: Handler = GET\n}\nenum R: Nozzle.APIRoute {\n  static func GET(_ req: Request, _ res: Response) {}\n}", ["GET", "PUT"]),
        ("enum R: APIRoute {\n  static let s = #\"static func POST() {} \"quoted\" \\\"#\n  static func GET(_ req: Request, _ res: Response) {}\n}", ["GET"]),
        ("enum R: APIRoute {\n  static let s = \"\"\"\n    static func POST() {}\n    \\(String(\"}\"))\n    \"\"\"\n  static func GET(_ req: Request, _ res: Response) {}\n}", ["GET"]),
        ("enum R: APIRoute {\n  static let s = ##\"\"\"\n    \"\"\"# static func POST\n    \"\"\"##\n  static func GET(_ req: Request, _ res: Response) {}\n}", ["GET"]),
        ("enum R: APIRoute {\n  enum Inner { static func POST() {} }\n  static func GET(_ req: Request, _ res: Response) { struct Local { static func DELETE() {} } }\n}", ["GET"]),
        ("enum R: APIRoute {\n  /* static func POST() {} /* nested */ */\n  static func `GET`(_ req: Request, _ res: Response) {}\n}", ["GET"]),
        ("enum Other { static func POST() {} }\nenum R: APIRoute {\n  private(set) static var count = 0\n  static func handler(_ req: Request, _ res: Response) {}\n}", ["handler"]),
    ])
    func findsHandlersWrittenAnyWay(source: String, handlers: [String]) throws {
        #expect(try RouteSourceScan(source: source, file: "api/r.swift").handlers == handlers)
    }

    @Test func docCommentsSurviveModifiersAndAttributes() throws {
        let scan = try RouteSourceScan(source: """
            /// The route.
            @available(*, deprecated)
            public enum R: APIRoute {
                /// Reads.
                @Sendable
                nonisolated static public func GET(_ req: Request, _ res: Response) {}
            }
            extension R {
                /// Writes, from an extension.
                static func POST(_ req: Request, _ res: Response) {}
            }
            """, file: "api/r.swift")
        #expect(scan.documentation == "The route.")
        #expect(scan.handlerDocumentation == ["GET": "Reads.", "POST": "Writes, from an extension."])
    }

    /// The scan stays linear in the file: a hundred thousand declarations and strings.
    @Test func aLargeFileIsScannedInLinearTime() throws {
        let member = "    static let s = #\"static func POST() \\#(1)\"#; private(set) static var v = 0\n"
        func time(_ count: Int) throws -> Double {
            let source = "enum R: APIRoute {\n" + String(repeating: member, count: count) + "    static func GET(_ req: Request, _ res: Response) {}\n}\n"
            let start = ContinuousClock.now
            #expect(try RouteSourceScan(source: source, file: "api/r.swift").handlers == ["GET"])
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        // The quickest of a few runs each: on a machine busy with other tests one run can be
        // slowed several times over, while a quadratic scan is a hundred times slower every time.
        let small = try (0..<3).map { _ in try time(5_000) }.min()!
        var large = Double.infinity
        for _ in 0..<3 where large >= max(small, 0.01) * 30 { large = min(large, try time(50_000)) }
        // Ten times the input: far less than a hundred times the time.
        #expect(large < max(small, 0.01) * 30, "5,000 members: \(small) s; 50,000: \(large) s")
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
                            RouteHandler("GET", PostByID.GET),
                            RouteHandler("DELETE", PostByID.DELETE),
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
