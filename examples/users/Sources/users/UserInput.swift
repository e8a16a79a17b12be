import Foundation
import Nozzle

/// The body of a create or replace request, as the OpenAPI document shows it: `UserInput` reads it.
struct UserFields: Codable {
    var name: String
    var email: String
}

/// The body of a PATCH: either field, or both.
struct UserChanges: Codable {
    var name: String?
    var email: String?
}

/// The `{name, email}` fields of a create or update request, checked: a JSON object or a form.
struct UserInput {
    var name: String?
    var email: String?

    /// Reads and checks the fields. With `requireAll`, both must be present (POST and PUT);
    /// otherwise only those present are checked (PATCH).
    ///
    /// - Throws: 400 `{"error": "...", "field": "email"}` naming the first field that is missing or
    ///   invalid, as the Luat seed's `fail(400, {error, field})`.
    init(_ req: Request, requireAll: Bool) throws {
        let fields: (String) -> JSON?
        switch req.body {
        case .json(.object(let object)):
            fields = { object[$0] }
        case .form(let form):
            fields = { form[$0].map(JSON.string) }
        case .none:
            throw fail(400, ["error": "Request body is empty: send {\"name\", \"email\"} as JSON or a form"])
        default:
            throw fail(400, ["error": "Request body must be a JSON object or a form"])
        }
        name = try Self.text(fields, "name", required: requireAll, maxLength: 100)
        email = try Self.text(fields, "email", required: requireAll, maxLength: 254)
        if let email, !Self.looksLikeEmail(email) {
            throw fail(400, ["error": "email is not a valid email address", "field": "email"])
        }
    }

    private static func text(_ fields: (String) -> JSON?, _ field: String, required: Bool, maxLength: Int) throws -> String? {
        guard let value = fields(field), value != .null else {
            if required { throw fail(400, ["error": .string("\(field) is required"), "field": .string(field)]) }
            return nil
        }
        guard case .string(let raw) = value else {
            throw fail(400, ["error": .string("\(field) must be a string"), "field": .string(field)])
        }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw fail(400, ["error": .string("\(field) must not be empty"), "field": .string(field)]) }
        guard text.count <= maxLength else {
            throw fail(400, ["error": .string("\(field) must be at most \(maxLength) characters"), "field": .string(field)])
        }
        return text
    }

    /// One `@` with text on both sides, a dot in the domain, and no spaces: enough to catch typos.
    private static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(where: \.isWhitespace) else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".")
    }
}
