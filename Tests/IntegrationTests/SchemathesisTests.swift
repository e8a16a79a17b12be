import Foundation
import Nozzle
import Testing

/// schemathesis (PyPI), a property-based tester driven by an OpenAPI document, against an example's
/// own document through nginx, with every check: what it generates as valid is accepted, what it
/// generates as invalid is refused, and every answer is one the document lists.
///
/// One check is left out: `unsupported_method` sends TRACE, which nginx answers itself with an
/// HTML 405 and no `Allow` before the app sees the request (the README names it). Each run is
/// bounded: a few examples per operation, a fixed seed and a time limit. Every example is here:
/// blitz's `handler` routes declare the one method they serve (`RouteConfig(methods: [.GET])`),
/// since a route that answers DELETE and then still GET reads as a deleted resource still there.
@Suite(.serialized)
struct SchemathesisTests {
    func run(_ stack: NginxFrontedApp, examples: Int = 25) throws -> (status: Int32?, output: String) {
        let result = try RunningProcess.run("/usr/bin/env", [
            "st", "run", "http://127.0.0.1:\(stack.port)/api/openapi.json", "--checks", "all", "--exclude-checks", "unsupported_method",
            // A fixed seed: a failure found once is found again, and can be replayed.
            "--max-examples", String(examples), "--seed", "20261205", "--request-timeout", "5", "--no-color",
        ], in: stack.directory, timeout: 300)
        return (result.status, result.stdout + result.stderr)
    }

    /// Runs schemathesis against `name`, an example of the root package or, with `ownPackage`, a
    /// package of its own, given `environment`; its output, once it has passed.
    @discardableResult
    func check(_ name: String, ownPackage: Bool = false, environment: [String: String] = [:]) throws -> String {
        let stack = try NginxFrontedApp(
            binary: name, executable: ownPackage ? ExampleBuild.binary(name) : nil, arguments: ["--openapi-path", "/api/openapi.json"],
            environment: environment)
        let (status, output) = try run(stack)
        #expect(status == 0, "\(output)")
        return output
    }

    @Test func theHelloExampleHoldsToItsDocument() throws {
        #expect(try check("hello").contains("passed"))
    }

    @Test func theBlitzExampleHoldsToItsDocument() throws {
        try check("blitz")
    }

    @Test func theUsersExampleHoldsToItsDocument() throws {
        let output = try check("users", ownPackage: true, environment: ["USERS_TOKEN": "schemathesis-\(UUID().uuidString.prefix(8))"])
        // Its coverage, fuzzing and stateful phases all ran.
        for phase in ["Coverage", "Fuzzing", "Stateful"] { #expect(output.contains(phase), "\(output)") }
    }

    @Test func theSessionExampleHoldsToItsDocument() throws {
        try check("session", ownPackage: true, environment: ["SESSION_SECRET": "schemathesis-\(UUID().uuidString)"])
    }

    @Test func theWebhookExampleHoldsToItsDocument() throws {
        try check("webhook", ownPackage: true, environment: ["WEBHOOK_SECRET": "schemathesis-\(UUID().uuidString)"])
    }
}
