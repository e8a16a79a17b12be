import Foundation
import Nozzle
import NozzleTesting
import Testing

/// `app openapi` for every example, checked by openapi-spec-validator (PyPI), and `--openapi-path`.
@Suite(.serialized)
struct OpenAPIDocumentTests {
    /// Every example, and the fixture app with its many kinds of route.
    static let apps = ["hello", "blitz", "users", "webhook", "session", "fixture-app"]

    func binary(_ name: String) throws -> String {
        ["users", "webhook", "session"].contains(name) ? try ExampleBuild.binary(name) : Paths.binary(name)
    }

    @Test(arguments: apps) func theDocumentOfEachExampleIsValidOpenAPI(_ name: String) throws {
        let directory = Paths.temporaryDirectory()
        let printed = try RunningProcess.run(try binary(name), ["openapi"], in: directory)
        #expect(printed.status == 0, "\(printed.stderr)")
        let file = directory.appending(path: "\(name).json")
        try printed.stdout.write(to: file, atomically: true, encoding: .utf8)
        let validated = try RunningProcess.run("/usr/bin/env", ["openapi-spec-validator", file.path], in: directory, timeout: 120)
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
        #expect(validated.stdout.contains("OK"), "\(validated.stdout)")

        let document = try #require(try? JSON(parsing: printed.stdout))
        #expect(document["info"]?["title"] == .string(name))
        let routes = try RunningProcess.run(try binary(name), ["routes"], in: directory).stdout
        // Every route of the table is there, as OpenAPI writes its path.
        for line in routes.split(separator: "\n").dropFirst() where line.hasPrefix("/") {
            let pattern = String(line.split(separator: " ").first ?? "")
            let path = pattern.replacingOccurrences(of: "[[...", with: "{").replacingOccurrences(of: "[...", with: "{")
                .replacingOccurrences(of: "]]", with: "}").replacingOccurrences(of: "[", with: "{").replacingOccurrences(of: "]", with: "}")
            #expect(document["paths"]?[path] != nil, "\(pattern) as \(path)")
        }
    }

    @Test func theUsersExampleDocumentsItsTypesParamsAndDocComments() throws {
        let printed = try RunningProcess.run(try ExampleBuild.binary("users"), ["openapi"], in: Paths.temporaryDirectory())
        let document = try #require(try? JSON(parsing: printed.stdout))
        let byID = try #require(document["paths"]?["/api/users/{id}"])
        #expect(byID["summary"]?.stringValue?.hasPrefix("`/api/users/[id]`: one user.") == true)
        #expect(byID["parameters"]?[0]?["name"] == "id")
        #expect(byID["delete"]?["summary"]?.stringValue?.contains("Authorization: Bearer") == true)
        #expect(byID["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"]?["required"] == ["id", "name", "email", "createdAt"])
        let create = try #require(document["paths"]?["/api/users"]?["post"])
        #expect(create["responses"]?["201"]?["content"]?["application/json"]?["schema"]?["properties"]?["id"]?["format"] == "int64")
        #expect(create["requestBody"]?["content"]?["application/json"]?["schema"]?["required"] == ["name", "email"])
        #expect(create["requestBody"]?["description"]?.stringValue?.contains("At most 1mb") == true)
        #expect(document["paths"]?["/api/users/{id}"]?["patch"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["required"] == nil)
    }

    @Test func openAPIPathServesTheDocumentToTheStatusPagesClients() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", arguments: ["--openapi-path", "/api/_openapi", "--request-timeout", "5"])
        let served = try stack.get("/api/_openapi")
        #expect(served.status == 200)
        #expect(served.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(served.headers["Cache-Control"] == "no-store")
        let printed = try RunningProcess.run(Paths.binary("fixture-app"), ["openapi", "--request-timeout", "5"], in: stack.directory)
        #expect(served.json == (try? JSON(parsing: printed.stdout)))
        #expect(served.json?["paths"]?["/api/env"]?["get"]?["responses"]?["504"] != nil)

        // Others get the usual 404, as for the status page.
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "app.sock").path
        let app = try RunningProcess(Paths.binary("fixture-app"), ["--listen", "unix:\(path)", "--openapi-path", "/_openapi"], in: directory)
        var client: FastCGIWireClient?
        #expect(eventually { client = try? FastCGISocket.connect(unix: path); return client != nil })
        for (address, expected) in [("203.0.113.5", 404), ("127.0.0.1", 200)] {
            let answer = try #require(client).send(params: [("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", "/_openapi"), ("REMOTE_ADDR", address)])
            #expect(answer.response.status == expected, "from \(address)")
        }
        _ = app
    }
}
