import Foundation
import Nozzle

/// The body of a create or replace request (POST, PUT): both fields, checked by their rules before
/// anything else reads them, and written into the OpenAPI document.
struct UserFields: Codable, Validatable {
    var name: String
    var email: String

    static func validations(_ rules: inout Validations) {
        rules.add("name", as: String.self, is: .count(1...100) && .notBlank)
        rules.add("email", as: String.self, is: .email && .count(...254))
    }
}

/// The body of a PATCH: either field, or both, with the same rules.
struct UserChanges: Codable, Validatable {
    var name: String?
    var email: String?

    static func validations(_ rules: inout Validations) {
        rules.add("name", as: String.self, is: .count(1...100) && .notBlank, required: false)
        rules.add("email", as: String.self, is: .email && .count(...254), required: false)
    }
}

/// The `{name, email}` fields of a create or update request, checked: a JSON object or a form.
struct UserInput {
    var name: String?
    var email: String?

    /// Reads and checks the fields. With `requireAll`, both must be present (POST and PUT);
    /// otherwise only those present are checked (PATCH). The name is kept without the whitespace
    /// around it.
    ///
    /// - Throws: 400 `{"error":"Invalid request body","field":"email","reason":"Invalid email","issues":[...]}`,
    ///   listing every field that is missing or invalid.
    init(_ req: Request, requireAll: Bool) throws {
        if requireAll {
            let fields = try req.body.decode(UserFields.self)
            (name, email) = (fields.name, fields.email)
        } else {
            let changes = try req.body.decode(UserChanges.self)
            (name, email) = (changes.name, changes.email)
        }
        name = name?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
