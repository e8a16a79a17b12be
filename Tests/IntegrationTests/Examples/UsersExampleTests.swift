import Foundation
import Nozzle
import Testing

/// `examples/users` behind real nginx: the CRUD API on SQLite, and the same tests on PostgreSQL.
@Suite(.serialized)
struct UsersExampleTests {
    static let token = "test-token-\(UUID().uuidString.prefix(8))"

    /// Where the example keeps its users.
    enum Store: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// One PostgreSQL server for the suite; each test gets a database of its own.
    static let postgres = Result { try PostgresServer() }

    func start(_ store: Store = .sqlite, in directory: URL? = nil, arguments: [String] = [], environment: [String: String] = [:]) throws -> NginxFrontedApp {
        var environment = environment
        if store == .postgres, environment["DATABASE_URL"] == nil { environment["DATABASE_URL"] = try Self.postgres.get().createDatabase() }
        return try NginxFrontedApp(
            binary: "users", executable: ExampleBuild.binary("users"), arguments: arguments,
            environment: ["USERS_TOKEN": Self.token].merging(environment) { _, new in new }, directory: directory)
    }

    func json(_ stack: NginxFrontedApp, _ method: String, _ path: String, _ body: String, headers: [String] = []) throws -> HTTPResult {
        try stack.request(method, path, headers: ["Content-Type: application/json"] + headers, body: body)
    }

    @Test(arguments: Store.allCases) func createReadUpdateDeleteThroughNginx(_ store: Store) throws {
        let stack = try start(store)
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

    @Test(arguments: Store.allCases) func badInputIsA400NamingTheField(_ store: Store) throws {
        let stack = try start(store)
        let cases: [(body: String, field: String, code: String)] = [
            (#"{"email":"a@example.com"}"#, "name", "invalid_type"),
            (#"{"name":"A"}"#, "email", "invalid_type"),
            (#"{"name":"","email":"a@example.com"}"#, "name", "too_small"),
            (#"{"name":"   ","email":"a@example.com"}"#, "name", "invalid_string"),
            (#"{"name":42,"email":"a@example.com"}"#, "name", "invalid_type"),
            (#"{"name":"A","email":"not-an-email"}"#, "email", "invalid_string"),
            (#"{"name":"A","email":"a@example"}"#, "email", "invalid_string"),
            (#"{"name":"\#(String(repeating: "x", count: 101))","email":"a@example.com"}"#, "name", "too_big"),
        ]
        for (body, field, code) in cases {
            let answer = try json(stack, "POST", "/api/users", body)
            #expect(answer.status == 400, "\(body)")
            #expect(answer.json?["field"] == .string(field), "\(body): \(answer.body)")
            #expect(answer.json?["issues"]?[0]?["code"] == .string(code), "\(answer.body)")
        }
        // Every rule broken, each with its field, as zod lists them: an empty name is too short and blank.
        let both = try json(stack, "POST", "/api/users", #"{"name":"","email":"nope"}"#)
        #expect(both.json?["error"] == "Invalid request body")
        #expect(both.json?["issues"]?.arrayValue?.map { $0["field"]?.stringValue ?? "" } == ["name", "name", "email"])
        #expect(both.json?["issues"]?[2]?["message"] == "Invalid email")
        let broken = try json(stack, "POST", "/api/users", #"{"name":"#)
        #expect(broken.status == 400)
        #expect(broken.json?["error"] != nil)
        #expect(try stack.get("/api/users?limit=abc").json?["field"] == "limit")
        #expect(try stack.get("/api/users?page=0").status == 400)
        // The id is declared a positive whole number: anything else is a 400 naming it.
        for id in ["abc", "0", "1.5", "99999999999999999999"] {
            let refused = try stack.get("/api/users/\(id)")
            #expect(refused.status == 400, "\(id)")
            #expect(refused.json?["error"] == "Invalid path parameter", "\(id)")
            #expect(refused.json?["field"] == "id", "\(id)")
        }
        let list = try stack.get("/api/users")
        #expect(list.json?["total"]?.intValue == 0, "\(list.status) \(list.body) \(stack.app?.stderr ?? "")")
    }

    @Test(arguments: Store.allCases) func aDuplicateEmailIsA409(_ store: Store) throws {
        let stack = try start(store)
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

    @Test(arguments: Store.allCases) func workerProcessesShareTheDatabase(_ store: Store) throws {
        let stack = try start(store, arguments: ["--processes", "2", "--workers", "2"])
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

    /// The pool is a service of the app: SIGTERM while requests stream in closes it after the last
    /// of them has been answered from the database.
    @Test func thePoolClosesAfterTheLastRequestOnSIGTERM() throws {
        let stack = try start(.postgres, arguments: ["--access-log"])
        let app = try #require(stack.app)
        #expect(eventually { app.stderr.contains("nozzle: started 1 services: DatabaseService") }, "\(app.stderr)")
        // Requests streaming in when the signal comes: those the app took are answered from the
        // database; those that come after it closed its socket get nginx's 502.
        let load = try ParallelRequests(Array(repeating: "http://127.0.0.1:\(stack.port)/api/users?limit=1", count: 400), in: stack.directory)
        #expect(eventually { app.stderr.components(separatedBy: "path=/api/users status=200").count > 20 })
        app.signal(SIGTERM)
        let outcomes = load.finish()
        #expect(outcomes.allSatisfy { $0.status == 200 || $0.status == 502 }, "\(Dictionary(grouping: outcomes, by: \.status).mapValues(\.count))")
        #expect(outcomes.count { $0.status == 200 } > 20)
        #expect(app.waitForExit(timeout: 15) == 0, "\(app.stderr)")
        let log = app.stderr
        let closed = try #require(log.range(of: "closed the pool"), "\(log)")
        // Every request the app answered was answered before the pool closed.
        #expect(log.ranges(of: "path=/api/users status=").allSatisfy { $0.lowerBound < closed.lowerBound }, "\(log)")
        #expect(log.contains("nozzle: services stopped"))
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

    @Test(arguments: Store.allCases) func oneEmailRacedByManyClientsIsCreatedOnce(_ store: Store) throws {
        let stack = try start(store, arguments: ["--processes", "2", "--workers", "2"])
        // 20 creations of one address, in different cases, all at once from curl processes.
        let script = """
            for i in $(seq 20); do
              curl -s -o /dev/null -w '%{http_code}\\n' --max-time 30 -X POST -H 'Content-Type: application/json' \\
                -d "{\\"name\\":\\"Racer $i\\",\\"email\\":\\"Same.Person@example.com\\"}" http://127.0.0.1:\(stack.port)/api/users &
            done
            wait
            """
        let result = try RunningProcess.run("/bin/bash", ["-c", script], in: stack.directory, timeout: 120)
        let statuses = result.stdout.split(separator: "\n").compactMap { Int($0) }.sorted()
        #expect(statuses == [201] + Array(repeating: 409, count: 19), "\(statuses) \(result.stderr)")
        #expect(try stack.get("/api/users").json?["total"]?.intValue == 1)
    }

    @Test(arguments: Store.allCases) func theRateLimitHoldsAcrossProcessesAndMachines(_ store: Store) throws {
        var environment = ["USERS_RATE_LIMIT": "5/60"]
        if store == .postgres { environment["DATABASE_URL"] = try Self.postgres.get().createDatabase() }
        let stack = try start(store, arguments: ["--processes", "2", "--workers", "2"], environment: environment)
        let app = try #require(stack.app)
        let statuses = try (0..<8).map { _ in try stack.get("/api/users").status }
        #expect(statuses == [200, 200, 200, 200, 200, 429, 429, 429])
        // New worker processes from a reload still see the count.
        app.signal(SIGHUP)
        #expect(eventually(timeout: 20) { app.stderr.contains("reload: new workers serving; old workers retiring") })
        let limited = try stack.get("/api/users")
        #expect(limited.status == 429)
        #expect(limited.headers["RateLimit-Limit"] == "5")
        #expect(limited.headers["Retry-After"] != nil)
        // On PostgreSQL, so does another machine: a second app on the same database.
        if store == .postgres {
            let other = try start(store, environment: environment)
            #expect(try other.get("/api/users").status == 429)
        }
    }

    @Test func aPostgreSQLDatabaseThatCannotBeReachedStopsTheAppWithAMessage() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = "unix:\(directory.path)/app.sock"
        let refusing = RefusingPort()
        defer { refusing.close() }
        let unused = refusing.port
        let unreachable = try RunningProcess.run(
            ExampleBuild.binary("users"), ["--listen", socket, "--database-url", "postgres://postgres@127.0.0.1:\(unused)/app", "--database-timeout", "1"],
            in: directory)
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("cannot open the database postgres://postgres@127.0.0.1:\(unused)/app:"), "\(unreachable.stderr)")
        for (url, message) in [
            ("mysql://root@db/app", "the scheme is mysql://"),
            ("postgres://db.example/app", "no user name"),
            ("postgres://app:secret@db.example/app?sslmode=verify-full", "sslmode=verify-full is not supported"),
        ] {
            let refused = try RunningProcess.run(ExampleBuild.binary("users"), ["--listen", socket, "--database-url", url], in: directory)
            #expect(refused.status == 1, "\(url)")
            #expect(refused.stderr.contains(message), "\(url): \(refused.stderr)")
            #expect(!refused.stderr.contains("secret"), "the password appeared in the log")
        }
        // A server that refuses the login: its reason, never the password.
        let server = try Self.postgres.get()
        let wrong = try RunningProcess.run(
            ExampleBuild.binary("users"), ["--listen", socket, "--database-url", "postgres://nobody:wrong@127.0.0.1:\(server.port)/postgres?sslmode=disable"],
            in: directory)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("cannot open the database postgres://nobody:***@127.0.0.1"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("role \"nobody\" does not exist"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("wrong"))
    }

    @Test func whileThePostgreSQLServerIsDownRequestsGet503AtOnceAndTheAppRecovers() throws {
        let server = try PostgresServer()
        let stack = try start(.postgres, arguments: ["--request-timeout", "5", "--database-timeout", "1"], environment: ["DATABASE_URL": server.url()])
        let app = try #require(stack.app)
        let created = try json(stack, "POST", "/api/users", #"{"name":"Ada","email":"ada@example.com"}"#)
        let id = try #require(created.json?["id"]?.intValue)
        server.stop()
        // The first request finds out, within the database timeout; the next ones are refused at once.
        var answers: [HTTPResult] = []
        for _ in 0..<5 { answers.append(try stack.get("/api/users/\(id)")) }
        for answer in answers {
            #expect(answer.status == 503)
            #expect(answer.json?["error"] == "Database unavailable, try again shortly")
            #expect(answer.headers["Retry-After"] == "1")
            #expect(answer.totalTime < 2, "\(answer.totalTime)")
        }
        #expect(answers.dropFirst().allSatisfy { $0.totalTime < 0.5 }, "\(answers.map(\.totalTime))")
        #expect(try json(stack, "POST", "/api/users", #"{"name":"Grace","email":"grace@example.com"}"#).status == 503)
        #expect(app.stderr.contains("database unreachable; answering 503 until it is back"))
        // Back, and the app uses it again by itself.
        try server.start()
        #expect(eventually(timeout: 10) { (try? stack.get("/api/users/\(id)"))?.status == 200 })
        #expect(app.stderr.contains("database reachable again"))
        #expect(try json(stack, "POST", "/api/users", #"{"name":"Grace","email":"grace@example.com"}"#).status == 201)
    }
}
