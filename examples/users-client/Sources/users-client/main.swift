import Foundation
import OpenAPIRuntime
import OpenAPIURLSession

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// `users-client http://127.0.0.1:8080`: calls the users example through the client that
// swift-openapi-generator made from the example's own document, and prints one JSON line per call
// with what came back: a page of the list, a user created, the same email again (409), a body
// that breaks the rules (400 and its issues), the user read back by id, and an id that is not a
// positive whole number (400 for the path).
guard CommandLine.arguments.count == 2, let serverURL = URL(string: CommandLine.arguments[1]) else {
    FileHandle.standardError.write(Data("usage: users-client BASE_URL (such as http://127.0.0.1:8080)\n".utf8))
    exit(2)
}
let client = Client(serverURL: serverURL, transport: URLSessionTransport())

/// One line of output: the call, its status, and what the test reads.
func report(_ call: String, _ status: Int, _ fields: [String: any Sendable] = [:]) {
    var line: [String: Any] = ["call": call, "status": status]
    for (key, value) in fields { line[key] = value }
    let data = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

/// A 400's issues as `path code` strings: `name too_small`, `email invalid_string`.
func issues(_ error: Components.Schemas.ValidationError) -> [String] {
    (error.issues ?? []).map { issue in
        let path = issue.path.map { element -> String in
            switch element {
            case .case1(let name): name
            case .case2(let index): String(index)
            }
        }
        return "\(path.joined(separator: ".")) \(issue.code)"
    }
}

let email = "ada-\(UUID().uuidString.prefix(8).lowercased())@example.com"

switch try await client.getApiUsers(query: .init(limit: 5)) {
case .ok(let ok): report("list", 200, ["count": try ok.body.json.users.count, "limit": try ok.body.json.limit])
case .badRequest(let refused): report("list", 400, ["issues": issues(try refused.body.json)])
case .undocumented(let code, _): report("list", code, ["undocumented": true])
default: report("list", -1)
}

var createdID: Int64?
switch try await client.postApiUsers(body: .json(.init(name: "Ada Lovelace", email: email))) {
case .created(let created):
    let user = try created.body.json
    createdID = user.id
    report("create", 201, ["id": user.id, "name": user.name, "email": user.email])
case .conflict(let conflict): report("create", 409, ["error": try conflict.body.json.error])
case .badRequest(let refused): report("create", 400, ["issues": issues(try refused.body.json)])
case .undocumented(let code, _): report("create", code, ["undocumented": true])
default: report("create", -1)
}

switch try await client.postApiUsers(body: .json(.init(name: "Ada again", email: email))) {
case .created: report("duplicate", 201)
case .conflict(let conflict): report("duplicate", 409, ["error": try conflict.body.json.error])
case .undocumented(let code, _): report("duplicate", code, ["undocumented": true])
default: report("duplicate", -1)
}

switch try await client.postApiUsers(body: .json(.init(name: "", email: "not an email"))) {
case .created: report("invalid", 201)
case .badRequest(let refused):
    let error = try refused.body.json
    report("invalid", 400, ["error": error.error, "issues": issues(error)])
case .undocumented(let code, _): report("invalid", code, ["undocumented": true])
default: report("invalid", -1)
}

if let createdID {
    switch try await client.getApiUsersId(path: .init(id: createdID)) {
    case .ok(let ok): report("read", 200, ["name": try ok.body.json.name])
    case .notFound: report("read", 404)
    case .undocumented(let code, _): report("read", code, ["undocumented": true])
    default: report("read", -1)
    }
}

switch try await client.getApiUsersId(path: .init(id: 0)) {
case .ok: report("zero", 200)
case .badRequest(let refused): report("zero", 400, ["issues": issues(try refused.body.json)])
case .notFound: report("zero", 404)
case .undocumented(let code, _): report("zero", code, ["undocumented": true])
default: report("zero", -1)
}
