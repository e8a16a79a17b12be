import AsyncHTTPClient
import Foundation
import NIOCore
import NozzleFastCGI

/// The app-builder seed's "send a welcome email when a user signs up": after the 201 has gone out
/// (`res.after`), a call to an email API with AsyncHTTPClient, as Resend's and Postmark's APIs
/// take it: `POST {EMAIL_API_URL}/emails` with `Authorization: Bearer {EMAIL_API_KEY}` and a JSON
/// body `{"from", "to", "subject", "text"}`. Off unless `EMAIL_API_URL` is set.
///
/// The user's row is written before the 201: an email API that is down, slow or refusing loses
/// the email (logged with the request's id), never the user.
enum WelcomeEmail {
    /// Where to send, and the key, from the environment; nil when `EMAIL_API_URL` is unset.
    static let configuration: (url: String, key: String, from: String)? = {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["EMAIL_API_URL"], !url.isEmpty else { return nil }
        return (url.hasSuffix("/") ? String(url.dropLast()) : url, environment["EMAIL_API_KEY"] ?? "", environment["EMAIL_FROM"] ?? "welcome@example.com")
    }()

    struct Refused: Error, CustomStringConvertible {
        let status: UInt
        let body: String
        var description: String { "the email API answered \(status): \(body.prefix(200))" }
    }

    /// Sends the welcome email to `user`, within 10 seconds; throws when the API cannot be reached
    /// or does not answer 2xx.
    static func send(to user: User) async throws {
        guard let configuration else { return }
        var request = HTTPClientRequest(url: configuration.url + "/emails")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        let message: [String: String] = [
            "from": configuration.from, "to": user.email, "subject": "Welcome, \(user.name)",
            "text": "Hello \(user.name), your account is ready.",
        ]
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(message)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw Refused(status: response.status.code, body: String(buffer: body))
        }
    }
}
