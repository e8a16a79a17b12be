import HTTPTypes
import Nozzle
import NozzleHTTPTypes
import NozzleTesting
import Synchronization
import Testing

/// Requests and responses as swift-http-types sees them, for code written against its types.
struct HTTPTypesTests {
    @Test func aRequestReadsAsAnHTTPRequest() async throws {
        let seen = RequestBox()
        let app = App(routes: RouteTable([Route("/api/users/[id]", handlers: ["PATCH": { req, res in
            seen.set(req.httpRequest)
            res.end()
        }])]))
        _ = await TestClient(app: app).request(
            "PATCH", "/api/users/42?fields=name",
            headers: [("Host", "api.example.com"), ("Content-Type", "application/json"), ("X-Trace", "a"), ("X-Trace", "b")],
            body: Array("{}".utf8))
        let request = try #require(seen.value)
        #expect(request.method == .patch)
        #expect(request.scheme == "http")
        #expect(request.authority == "api.example.com")
        #expect(request.path == "/api/users/42?fields=name")
        #expect(request.headerFields[.contentType] == "application/json")
        // Repeated fields arrive joined, as the web server passes them in one FastCGI param.
        #expect(request.headerFields[HTTPField.Name("X-Trace")!] == "a, b")
    }

    @Test func aResponseIsSetFromAnHTTPResponse() async {
        let app = App(routes: RouteTable([Route("/t", handlers: ["POST": { _, res in
            res.httpResponse = HTTPResponse(status: .created, headerFields: [.location: "/api/users/42", .cacheControl: "no-store"])
            res.httpFields[.eTag] = #""v1""#
            res.json(["id": 42])
        }])]))
        let response = await TestClient(app: app).request("POST", "/t")
        #expect(response.status == 201)
        #expect(response.headers["Location"] == "/api/users/42")
        #expect(response.headers["Cache-Control"] == "no-store")
        #expect(response.headers["ETag"] == #""v1""#)
        #expect(response.json == ["id": 42])
    }

    @Test func aCustomReasonPhraseIsKeptAndTheStandardOneIsNot() async {
        let app = App(routes: RouteTable([Route("/t/[n]", handlers: ["GET": { req, res in
            res.httpResponse = req.params["n"] == "1"
                ? HTTPResponse(status: .init(code: 400, reasonPhrase: "Invalid JSON"))
                : HTTPResponse(status: .badRequest)
            #expect(res.httpResponse.status.code == 400)
            res.end()
        }])]))
        let client = TestClient(app: app)
        let custom = await client.request("GET", "/t/1")
        #expect(custom.status == 400 && custom.statusMessage == "Invalid JSON")
        let standard = await client.request("GET", "/t/2")
        #expect(standard.status == 400 && standard.statusMessage == "Bad Request")
    }
}

/// Holds what a handler saw, for the test to read after.
final class RequestBox: Sendable {
    private let box = Mutex<HTTPRequest?>(nil)
    func set(_ request: HTTPRequest) { box.withLock { $0 = request } }
    var value: HTTPRequest? { box.withLock { $0 } }
}
