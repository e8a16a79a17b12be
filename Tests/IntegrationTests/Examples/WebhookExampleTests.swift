import Foundation
import Nozzle
import Testing

/// `examples/webhook` behind real nginx. Signatures are made with the openssl command, apart from the
/// app's own code.
@Suite(.serialized)
struct WebhookExampleTests {
    static let secret = "whsec_\(UUID().uuidString.prefix(12))"

    func start(environment: [String: String] = ["WEBHOOK_SECRET": secret]) throws -> NginxFrontedApp {
        try NginxFrontedApp(binary: "webhook", executable: ExampleBuild.binary("webhook"), environment: environment)
    }

    /// `sha256=<hex>` of `body` keyed by `secret`, as a sender computes it.
    func signature(_ body: String, secret: String = secret, in directory: URL) throws -> String {
        let result = try RunningProcess.run("/usr/bin/openssl", ["dgst", "-sha256", "-hmac", secret], input: Array(body.utf8), in: directory)
        let hex = try #require(result.stdout.split(separator: " ").last).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hex.count == 64)
        return "sha256=\(hex)"
    }

    func post(_ stack: NginxFrontedApp, _ body: String, signature: String?) throws -> HTTPResult {
        try stack.request("POST", "/api/webhook", headers: ["Content-Type: application/json"] + (signature.map { ["X-Signature: \($0)"] } ?? []), body: body)
    }

    @Test func aSignedEventIsReceivedAndDispatchedOnItsType() throws {
        let stack = try start()
        let checkout = #"{"type":"checkout.session.completed","data":{"object":{"id":"cs_test_123"}}}"#
        let answer = try post(stack, checkout, signature: signature(checkout, in: stack.directory))
        #expect(answer.status == 200)
        #expect(answer.body == #"{"received":true}"#)
        let subscription = #"{"type":"customer.subscription.updated","data":{"object":{"id":"sub_42"}}}"#
        #expect(try post(stack, subscription, signature: signature(subscription, in: stack.directory)).status == 200)
        let unknown = #"{"type":"charge.refunded","data":{}}"#
        #expect(try post(stack, unknown, signature: signature(unknown, in: stack.directory)).json?["received"] == true)
        #expect(eventually(timeout: 5) { stack.app?.stderr.contains("checkout completed: session cs_test_123") == true })
        #expect(stack.app?.stderr.contains("subscription updated: sub_42") == true)
        #expect(stack.app?.stderr.contains("ignored webhook event type charge.refunded") == true)
    }

    @Test func aBadOrMissingSignatureIsA403() throws {
        let stack = try start()
        let body = #"{"type":"checkout.session.completed","data":{"object":{"id":"cs_evil"}}}"#
        let good = try signature(body, in: stack.directory)
        // The same event with other whitespace: equal as JSON, but not the bytes that were signed.
        let reformatted = #"{"type": "checkout.session.completed", "data": {"object": {"id": "cs_evil"}}}"#
        let refusals: [(String, String?)] = [
            (body, nil),
            (body, try signature(body, secret: "another-secret", in: stack.directory)),
            (reformatted, good),
            (body, String(good.dropLast()) + (good.last == "0" ? "1" : "0")),
            (body, good.replacingOccurrences(of: "sha256=", with: "sha1=")),
            (body, "sha256=zz"),
            (body, "sha256="),
        ]
        for (sent, header) in refusals {
            let answer = try post(stack, sent, signature: header)
            #expect(answer.status == 403, "\(header ?? "no header")")
            #expect(answer.body == #"{"error":"Invalid signature"}"#)
        }
        #expect(!stack.app!.stderr.contains("cs_evil"))
        #expect(stack.app!.stderr.contains("rejected a webhook"))
        // Upper-case hex is the same signature.
        #expect(try post(stack, body, signature: "sha256=" + good.dropFirst(7).uppercased()).status == 200)
    }

    @Test func aSignedBodyThatIsNotAnEventIsA400() throws {
        let stack = try start()
        for body in ["not json", #"{"data":{}}"#] {
            let answer = try post(stack, body, signature: signature(body, in: stack.directory))
            #expect(answer.status == 400)
            #expect(answer.json?["error"]?.stringValue?.isEmpty == false)
            #expect(answer.json?["error"] != "Invalid signature")
        }
    }

    @Test func withoutASecretTheServerSaysItIsMisconfigured() throws {
        let stack = try start(environment: ["WEBHOOK_SECRET": ""])
        let body = #"{"type":"checkout.session.completed"}"#
        let answer = try post(stack, body, signature: signature(body, secret: "", in: stack.directory))
        #expect(answer.status == 500)
        #expect(answer.body == #"{"error":"Webhook secret is not configured"}"#)
        #expect(eventually(timeout: 5) { stack.app?.stderr.contains("WEBHOOK_SECRET is not set") == true })
    }
}
