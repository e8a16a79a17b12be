import Nozzle
import NozzleRouteGrammar
import Testing

/// One grammar for route patterns and one type for methods, shared by the core and the compiler.
struct RouteGrammarTests {
    @Test(arguments: [
        ("create", RouteSegment.literal("create")), ("v1.2~x@y_z-w", .literal("v1.2~x@y_z-w")), ("é", .literal("é")),
        ("[pid]", .param("pid")), ("[...slug]", .catchAll("slug")), ("[[...slug]]", .optionalCatchAll("slug")), ("[_a1]", .param("_a1")),
    ])
    func readsEachKindOfSegment(text: String, segment: RouteSegment) throws {
        #expect(try RouteSegment(parsing: text) == segment)
        #expect(segment.text == text)
    }

    @Test(arguments: [
        ("[a-b]", "invalid segment name '[a-b]': 'a-b' is not a valid param name (letters, digits and _)"),
        ("[1a]", "invalid segment name '[1a]': '1a' is not a valid param name (letters, digits and _)"),
        ("[[slug]]", "invalid segment name '[[slug]]': an optional catch-all is written [[...name]]"),
        ("[id", "invalid segment name '[id': a dynamic segment is written [name]"),
        ("a b", "invalid segment name 'a b': use letters, digits, and - . _ ~ @ in a route segment"),
        ("..", "invalid segment name '..': use letters, digits, and - . _ ~ @ in a route segment"),
        ("", "invalid segment name '': empty segment"),
    ])
    func refusesWhatIsNotASegment(text: String, message: String) {
        #expect(throws: RouteSegment.Invalid(message: message)) { try RouteSegment(parsing: text) }
    }

    @Test func aCatchAllComesLast() throws {
        #expect(try RouteSegment.segments(of: "/api/post/[...slug]") == [.literal("api"), .literal("post"), .catchAll("slug")])
        #expect(throws: RouteSegment.Invalid(message: "catch-all segment '[[...a]]' must be the last part of the path")) {
            try RouteSegment.segments(of: "/api/[[...a]]/x")
        }
    }

    @Test func methodsAreAType() {
        #expect(HTTPMethod.allCases.map(\.rawValue) == ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        let fromLiterals: [HTTPMethod] = ["GET", "HEAD"]
        #expect(fromLiterals == [.GET, .HEAD])
        #expect(CORS(methods: ["GET", "DELETE"]).methods == [.GET, .DELETE])
        struct Body: Decodable { var name: String }
        let config = RouteConfig(schemas: ["POST": OperationSchema(request: Body.self)])
        #expect(config.schemas[.POST] != nil)
    }

    /// A method that does not exist stops the app at start, with a message naming it. (Swift
    /// Testing's exit tests would check the stop itself, but their monitor waits for any child
    /// process, which keeps Foundation's `Process` in the integration tests from seeing its
    /// children exit; so the message and the lookup are checked here.)
    @Test func aMisspelledMethodIsNamed() {
        #expect(HTTPMethod(rawValue: "GTE") == nil)
        #expect(HTTPMethod(rawValue: "get") == nil)
        #expect(HTTPMethod.unknown("GTE") == "'GTE' is not an HTTP method a route answers: use one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
    }
}
