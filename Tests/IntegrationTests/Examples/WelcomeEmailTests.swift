import Foundation
import Nozzle
import Testing

/// The app-builder seed's "send a welcome email when a user signs up", in the users example: the
/// 201 goes out first, the email API is called after it with AsyncHTTPClient (`res.after`), and an
/// email API that is down or refusing loses the email, logged, never the user.
@Suite(.serialized)
struct WelcomeEmailTests {
    /// A fake email API on a loopback port (`Tests/Tools/fake-email-api.py`) that answers after
    /// `delay` seconds with `status`, writing down each call.
    struct FakeEmailAPI {
        let tool: LoopbackTool
        let output: URL
        var port: Int { tool.port }

        init(in directory: URL, delay: Double = 0, status: Int = 200) throws {
            output = directory.appending(path: "emails.jsonl")
            tool = try LoopbackTool("fake-email-api.py", in: directory, arguments: [output.path, String(delay), String(status)])
        }

        /// The calls it has had.
        var calls: [JSON] { LoopbackTool.records(output) }
    }

    func start(_ directory: URL, emailAPI: String) throws -> NginxFrontedApp {
        try NginxFrontedApp(
            binary: "users", executable: ExampleBuild.binary("users"), arguments: ["--access-log"],
            environment: ["EMAIL_API_URL": emailAPI, "EMAIL_API_KEY": "re_test_123", "USERS_DATABASE": directory.appending(path: "users.sqlite").path],
            directory: directory)
    }

    func signUp(_ stack: NginxFrontedApp, _ name: String, _ email: String) throws -> HTTPResult {
        try stack.request("POST", "/api/users", headers: ["Content-Type: application/json"], body: #"{"name":"\#(name)","email":"\#(email)"}"#)
    }

    @Test func theEmailIsSentAfterThe201() throws {
        let directory = Paths.temporaryDirectory()
        // An email API that takes two seconds to answer: the client must not wait for it.
        let api = try FakeEmailAPI(in: directory, delay: 2)
        let stack = try start(directory, emailAPI: "http://127.0.0.1:\(api.port)")
        let app = try #require(stack.app)
        let created = try signUp(stack, "Ada", "ada@example.com")
        #expect(created.status == 201)
        #expect(created.totalTime < 1.5, "the client waited \(created.totalTime) s")
        let id = try #require(created.json?["id"]?.intValue)
        // The call, as the API takes it, with the key from the environment.
        #expect(eventually { api.calls.count == 1 })
        let call = try #require(api.calls.first)
        #expect(call["path"] == "/emails")
        #expect(call["authorization"] == "Bearer re_test_123")
        #expect(call["body"]?["to"] == "ada@example.com")
        #expect(call["body"]?["subject"] == "Welcome, Ada")
        // Sent once the API answered, after the request was over.
        #expect(eventually { app.stderr.contains("sent the welcome email to user \(id)") }, "\(app.stderr)")
        let log = app.stderr
        let answered = try #require(log.range(of: "method=POST path=/api/users status=201"))
        #expect(answered.lowerBound < log.range(of: "sent the welcome email")!.lowerBound)
    }

    @Test func anEmailAPIThatIsDownOrRefusesLosesTheEmailNotTheUser() throws {
        let directory = Paths.temporaryDirectory()
        // Nothing listens on this port, and nothing can until the test ends.
        let closed = RefusingPort()
        defer { closed.close() }
        let stack = try start(directory, emailAPI: "http://127.0.0.1:\(closed.port)")
        let app = try #require(stack.app)
        let created = try signUp(stack, "Grace", "grace@example.com")
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        let requestID = try #require(app.stderr.firstMatch(of: /id=(\S+) method=POST path=\/api\/users status=201/).map { String($0.1) })
        #expect(eventually { app.stderr.contains("after-response work failed") }, "\(app.stderr)")
        let failure = try #require(app.stderr.split(separator: "\n").first { $0.contains("after-response work failed") })
        #expect(failure.contains("id=\(requestID) "), "\(failure)")
        #expect(try stack.get("/api/users/\(id)").json?["email"] == "grace@example.com")

        // An API that answers 500: the same, with what it said.
        let refusing = try FakeEmailAPI(in: Paths.temporaryDirectory(), status: 500)
        let other = try start(Paths.temporaryDirectory(), emailAPI: "http://127.0.0.1:\(refusing.port)")
        let otherApp = try #require(other.app)
        let second = try signUp(other, "Linus", "linus@example.com")
        #expect(second.status == 201)
        #expect(eventually { otherApp.stderr.contains("after-response work failed: the email API answered 500") }, "\(otherApp.stderr)")
        #expect(try other.get("/api/users/\(second.json?["id"]?.intValue ?? 0)").status == 200)
    }
}
