import Foundation
import Nozzle
import Testing

/// `examples/users` behind real nginx: the CRUD API on SQLite.
@Suite(.serialized)
struct UsersExampleTests {
    static let token = "test-token-\(UUID().uuidString.prefix(8))"

    func start(in directory: URL? = nil, arguments: [String] = [], environment: [String: String] = [:]) throws -> NginxFrontedApp {
        try NginxFrontedApp(
            binary: "users", executable: ExampleBuild.binary("users"), arguments: arguments,
            environment: ["USERS_TOKEN": Self.token].merging(environment) { _, new in new }, directory: directory)
    }

    func json(_ stack: NginxFrontedApp, _ method: String, _ path: String, _ body: String, headers: [String] = []) throws -> HTTPResult {
        try stack.request(method, path, headers: ["Content-Type: application/json"] + headers, body: body)
    }

    @Test func createReadUpdateDeleteThroughNginx() throws {
        let stack = try start()
        let created = try json(stack, "POST", "/api/users", #"{"name":"Ada Lovelace","email":"ada@example.com"}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        #expect(created.json?["name"] == "Ada Lovelace")
        #expect(created.json?["email"] == "ada@example.com")
        #expect(created.headers["Location"] == "/api/users/\(id)")

        let fetched = try stack.get("/api/users/\(id)")
        #expect(fetched.status == 200)
        #expect(fetched.json == created.json)

        // A form body works as well as JSON.
        let grace = try stack.request("POST", "/api/users", headers: ["Content-Type: application/x-www-form-urlencoded"], body: "name=Grace+Hopper&email=grace%40example.com")
        #expect(grace.status == 201, "\(grace.body)")
        let graceID = try #require(grace.json?["id"]?.intValue)

        let list = try stack.get("/api/users")
        #expect(list.status == 200)
        #expect(list.headers["Cache-Control"] == "max-age=60")
        #expect(list.json?["total"]?.intValue == 2)
        #expect(list.json?["users"]?[0]?["email"] == "ada@example.com")
        #expect(list.json?["users"]?[1]?["email"] == "grace@example.com")
        let secondPage = try stack.get("/api/users?limit=1&page=2")
        #expect(secondPage.json?["users"]?[0]?["id"]?.intValue == graceID)
        #expect(secondPage.json?["users"]?[1] == nil)
        #expect(secondPage.json?["page"]?.intValue == 2)

        let patched = try json(stack, "PATCH", "/api/users/\(id)", #"{"name":"Augusta Ada King"}"#)
        #expect(patched.status == 200)
        #expect(patched.json?["name"] == "Augusta Ada King")
        #expect(patched.json?["email"] == "ada@example.com")

        // PUT is the same handler as POST on this route: both fields replaced.
        let put = try json(stack, "PUT", "/api/users/\(id)", #"{"name":"Ada","email":"ada@lovelace.example"}"#)
        #expect(put.status == 200)
        #expect(put.json?["email"] == "ada@lovelace.example")
        let posted = try json(stack, "POST", "/api/users/\(id)", #"{"name":"Ada L.","email":"ada@example.com"}"#)
        #expect(posted.status == 200)
        #expect(posted.json?["name"] == "Ada L.")
        let putWithoutEmail = try json(stack, "PUT", "/api/users/\(id)", #"{"name":"Ada"}"#)
        #expect(putWithoutEmail.status == 400)
        #expect(putWithoutEmail.json?["field"] == "email")

        let deleted = try stack.request("DELETE", "/api/users/\(id)", headers: ["Authorization: Bearer \(Self.token)"])
        #expect(deleted.status == 204)
        #expect(deleted.body.isEmpty)
        #expect(deleted.headers["Content-Type"] == nil)
        let gone = try stack.get("/api/users/\(id)")
        #expect(gone.status == 404)
        #expect(gone.body == #"{"error":"User not found"}"#)
        #expect(try stack.request("DELETE", "/api/users/\(id)", headers: ["Authorization: Bearer \(Self.token)"]).status == 404)
        #expect(try stack.get("/api/users").json?["total"]?.intValue == 1)
    }

    @Test func badInputIsA400NamingTheField() throws {
        let stack = try start()
        let cases: [(body: String, field: String)] = [
            (#"{"email":"a@example.com"}"#, "name"),
            (#"{"name":"A"}"#, "email"),
            (#"{"name":"","email":"a@example.com"}"#, "name"),
            (#"{"name":42,"email":"a@example.com"}"#, "name"),
            (#"{"name":"A","email":"not-an-email"}"#, "email"),
            (#"{"name":"A","email":"a@example"}"#, "email"),
        ]
        for (body, field) in cases {
            let answer = try json(stack, "POST", "/api/users", body)
            #expect(answer.status == 400, "\(body)")
            #expect(answer.json?["field"] == .string(field), "\(body): \(answer.body)")
            #expect(answer.json?["error"]?.stringValue?.contains(field) == true, "\(answer.body)")
        }
        let broken = try json(stack, "POST", "/api/users", #"{"name":"#)
        #expect(broken.status == 400)
        #expect(broken.json?["error"] != nil)
        #expect(try stack.get("/api/users?limit=abc").json?["field"] == "limit")
        #expect(try stack.get("/api/users?page=0").status == 400)
        #expect(try stack.get("/api/users/abc").status == 404)
        let list = try stack.get("/api/users")
        #expect(list.json?["total"]?.intValue == 0, "\(list.status) \(list.body) \(stack.app?.stderr ?? "")")
    }

    @Test func aDuplicateEmailIsA409() throws {
        let stack = try start()
        #expect(try json(stack, "POST", "/api/users", #"{"name":"Ada","email":"ada@example.com"}"#).status == 201)
        let again = try json(stack, "POST", "/api/users", #"{"name":"Another Ada","email":"ADA@example.com"}"#)
        #expect(again.status == 409)
        #expect(again.json?["field"] == "email")
        let other = try json(stack, "POST", "/api/users", #"{"name":"Grace","email":"grace@example.com"}"#)
        let otherID = try #require(other.json?["id"]?.intValue)
        #expect(try json(stack, "PATCH", "/api/users/\(otherID)", #"{"email":"ada@example.com"}"#).status == 409)
        #expect(try stack.get("/api/users").json?["total"]?.intValue == 2)
    }

    @Test func deleteNeedsTheBearerToken() throws {
        let stack = try start()
        let created = try json(stack, "POST", "/api/users", #"{"name":"Ada","email":"ada@example.com"}"#)
        let id = try #require(created.json?["id"]?.intValue)
        for headers in [[], ["Authorization: Bearer wrong"], ["Authorization: Basic \(Self.token)"], ["Authorization: Bearer \(Self.token)x"]] {
            let refused = try stack.request("DELETE", "/api/users/\(id)", headers: headers)
            #expect(refused.status == 401, "\(headers)")
            #expect(refused.headers["WWW-Authenticate"] == "Bearer")
            #expect(refused.json?["error"] == "Unauthorized")
        }
        #expect(try stack.get("/api/users/\(id)").status == 200)
        #expect(stack.app?.stderr.contains("missing or wrong bearer token") == true)
    }

    @Test func dataSurvivesARestartWhereverTheDatabaseIs() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // First start, no options: the schema is created in users.sqlite in the working directory.
        var id = 0
        do {
            let stack = try start(in: directory)
            let created = try json(stack, "POST", "/api/users", #"{"name":"Ada","email":"ada@example.com"}"#)
            id = try #require(created.json?["id"]?.intValue)
        }
        #expect(FileManager.default.fileExists(atPath: directory.appending(path: "users.sqlite").path))
        do {
            let stack = try start(in: directory)
            #expect(try stack.get("/api/users/\(id)").json?["email"] == "ada@example.com")
        }

        // --database and USERS_DATABASE name another file; the option wins over the variable.
        let elsewhere = directory.appending(path: "data/other.sqlite").path
        try FileManager.default.createDirectory(at: directory.appending(path: "data"), withIntermediateDirectories: true)
        do {
            let stack = try start(in: directory, arguments: ["--database", elsewhere], environment: ["USERS_DATABASE": "/nonexistent/x.sqlite"])
            #expect(try stack.get("/api/users").json?["total"]?.intValue == 0)
            #expect(try json(stack, "POST", "/api/users", #"{"name":"Grace","email":"grace@example.com"}"#).status == 201)
        }
        do {
            let stack = try start(in: directory, environment: ["USERS_DATABASE": elsewhere])
            let list = try stack.get("/api/users")
            #expect(list.json?["total"]?.intValue == 1)
            #expect(list.json?["users"]?[0]?["email"] == "grace@example.com")
        }
    }

    @Test func workerProcessesShareTheDatabase() throws {
        let stack = try start(arguments: ["--processes", "2", "--workers", "2"])
        // 40 creations, 8 at a time, from curl processes started by xargs.
        let script = """
            seq 40 | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\\n' --max-time 30 -X POST \\
              -H 'Content-Type: application/json' -d '{"name":"User {}","email":"user{}@example.com"}' \\
              http://127.0.0.1:\(stack.port)/api/users
            """
        let result = try RunningProcess.run("/bin/bash", ["-c", script], in: stack.directory, timeout: 120)
        let statuses = result.stdout.split(separator: "\n").map(String.init)
        #expect(statuses == Array(repeating: "201", count: 40), "\(result.stdout) \(result.stderr)")
        let list = try stack.get("/api/users?limit=100")
        #expect(list.json?["total"]?.intValue == 40)
        #expect(Set((0..<40).compactMap { list.json?["users"]?[$0]?["email"]?.stringValue }).count == 40)
    }

    @Test func aDatabaseThatCannotBeOpenedStopsTheAppWithAMessage() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try RunningProcess.run(
            ExampleBuild.binary("users"), ["--listen", "unix:\(directory.path)/app.sock", "--database", "/nonexistent/dir/users.sqlite"],
            in: directory)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot open the database /nonexistent/dir/users.sqlite"))
    }
}
