import Foundation
import Nozzle
import Testing

/// The users example through a client that swift-openapi-generator generated from the example's
/// own document (`examples/users-client`), behind real nginx: what Nozzle documents is what a
/// generated client needs to call the app and read every answer, the refusals included.
@Suite(.serialized)
struct UsersClientTests {
    /// The client is generated from a copy of the document; it must be the one the app prints.
    @Test func theClientsCopyOfTheDocumentIsCurrent() throws {
        let printed = try RunningProcess.run(ExampleBuild.binary("users"), ["openapi"], in: Paths.temporaryDirectory())
        let copy = try String(contentsOf: Paths.root.appending(path: "examples/users-client/Sources/users-client/openapi.json"), encoding: .utf8)
        #expect(printed.status == 0)
        #expect(
            printed.stdout == copy,
            "examples/users-client/Sources/users-client/openapi.json is not what `users openapi` prints: run `examples/users/.build/debug/users openapi > examples/users-client/Sources/users-client/openapi.json`")
    }

    @Test func aGeneratedClientRoundTripsThroughNginx() throws {
        let stack = try NginxFrontedApp(binary: "users", executable: ExampleBuild.binary("users"), environment: ["USERS_TOKEN": "client-\(UUID().uuidString)"])
        let run = try RunningProcess.run(ExampleBuild.binary("users-client"), ["http://127.0.0.1:\(stack.port)"], in: stack.directory, timeout: 60)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        var calls: [String: JSON] = [:]
        for line in run.stdout.split(separator: "\n") {
            let call = try JSON(parsing: Array(line.utf8))
            if let name = call["call"]?.stringValue { calls[name] = call }
        }
        // A page of the list, decoded into the generated types.
        #expect(calls["list"]?["status"] == 200)
        #expect(calls["list"]?["limit"] == 5)
        // Created: 201 with the user.
        #expect(calls["create"]?["status"] == 201)
        #expect(calls["create"]?["name"] == "Ada Lovelace")
        // The same email again: the 409 the route declares, with its `error`.
        #expect(calls["duplicate"]?["status"] == 409)
        #expect(calls["duplicate"]?["error"]?.stringValue?.isEmpty == false)
        // A body breaking both rules: one 400 whose issues the client reads as the document says.
        #expect(calls["invalid"]?["status"] == 400)
        let issues = calls["invalid"]?["issues"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(issues.contains { $0.hasPrefix("name ") }, "\(issues)")
        #expect(issues.contains { $0.hasPrefix("email ") }, "\(issues)")
        // Read back by id, and an id that breaks the path's rule (a positive whole number).
        #expect(calls["read"]?["status"] == 200)
        #expect(calls["read"]?["name"] == "Ada Lovelace")
        #expect(calls["zero"]?["status"] == 400)
        #expect(calls["zero"]?["issues"]?.arrayValue?.first?.stringValue?.hasPrefix("id ") == true, "\(calls["zero"] ?? [:])")
        // Nothing the client got was outside the document.
        #expect(!run.stdout.contains("undocumented"), "\(run.stdout)")
    }
}
