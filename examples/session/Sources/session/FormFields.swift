import Foundation
import Nozzle

/// The fields a route reads from a form post or a JSON body alike.
struct FormFields {
    private let lookup: (String) -> String?

    /// The body's fields: an HTML form (urlencoded or multipart) or a JSON object of strings.
    init(_ req: Request) throws {
        switch req.body {
        case .form(let form): lookup = { form[$0] }
        case .multipart(let form): lookup = { form.fields[$0] }
        case .json(let json):
            guard case .object(let object) = json else { throw fail(400, "Send a JSON object or a form") }
            lookup = { object[$0]?.stringValue }
        default:
            throw fail(400, "Send a JSON object or a form")
        }
    }

    /// The field's value with surrounding spaces removed; nil when absent or empty.
    subscript(name: String) -> String? {
        guard let raw = lookup(name) else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A path on this site to go to next, from the `location` field; `fallback` for anything else,
    /// so a form cannot send users to another site.
    func location(fallback: String) -> String {
        guard let location = self["location"], location.hasPrefix("/"), !location.hasPrefix("//"), !location.contains("\\") else {
            return fallback
        }
        return location
    }
}
