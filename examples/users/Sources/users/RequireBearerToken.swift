import Foundation
import Nozzle

/// Lets a request through only with `Authorization: Bearer <token>`, the token being `USERS_TOKEN`;
/// answers 401 `{"error":"Unauthorized"}` with `WWW-Authenticate: Bearer` otherwise. When
/// `USERS_TOKEN` is unset, no token is right, so every guarded request gets 401.
///
/// Only the listed methods are guarded: the same route file can serve reads to everyone.
struct RequireBearerToken: Middleware {
    static let variable = "USERS_TOKEN"
    /// The token's bytes, read once; nil when `USERS_TOKEN` is unset or empty.
    static let token: [UInt8]? = ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : Array($0.utf8) }
    var methods: Set<String>

    func handle(_ req: Request, _ res: Response, next: Next) async throws {
        guard methods.contains(req.method) else { return try await next() }
        guard let expected = Self.token,
              let header = req.headers["Authorization"], header.hasPrefix("Bearer "),
              Self.constantTimeEqual(Array(header.utf8.dropFirst("Bearer ".utf8.count)), expected)
        else {
            req.log.warning("refused \(req.method) \(req.path): missing or wrong bearer token")
            throw HTTPError(401, "Unauthorized", headers: Headers([("WWW-Authenticate", "Bearer")]))
        }
        try await next()
    }

    /// The 401 it gives, in the OpenAPI document of each guarded method.
    func documentedAnswers(for method: HTTPMethod) -> [Int: String] {
        methods.contains(method.rawValue) ? [401: "No bearer token, or not the right one (`\(Self.variable)`)"] : [:]
    }

    /// Compares every byte whatever the first difference, so the time taken does not tell an
    /// attacker how much of a guess was right.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
