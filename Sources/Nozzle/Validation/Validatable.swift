/// A body or query type with rules beyond its types, declared once beside it, as zod's schemas and
/// Vapor's `Validatable` declare them.
///
/// ```swift
/// struct NewPost: Decodable, Validatable {
///     var title: String
///     var content: String
///     var tags: [String]?
///
///     static func validations(_ rules: inout Validations) {
///         rules.add("title", as: String.self, is: .count(1...200))
///         rules.add("content", as: String.self, is: .count(1...))
///         rules.add("tags", as: [String].self, is: .count(...10) && .unique, required: false)
///         rules.add(each: "tags", as: String.self, is: .count(1...30))
///     }
/// }
///
/// let post = try req.body.decode(NewPost.self)   // a 400 listing every issue, or a valid post
/// ```
///
/// `req.body.decode(_:)` and `req.query.decode(_:)` check every rule before decoding, and answer one
/// 400 that lists every issue, each with its path, code and message, as zod's `issues` do:
///
/// ```json
/// {"error":"Invalid request body","field":"title","reason":"String must contain at least 1 character(s)",
///  "issues":[{"path":["title"],"field":"title","code":"too_small","message":"String must contain at least 1 character(s)"}]}
/// ```
///
/// The OpenAPI document writes the same rules into the type's JSON Schema (`minLength`, `format`,
/// `minimum`, `uniqueItems`, `additionalProperties`, ...). A rule's value type must match the type it
/// is declared with (`.count(1...)` on a `String`, `.range(0...150)` on an `Int`): the compiler checks
/// that; a rule naming a field the type does not decode stops the app at start.
public protocol Validatable: Decodable {
    /// Declares the rules.
    static func validations(_ rules: inout Validations)
}

/// The rules of a ``Validatable`` type, or of a nested object.
public struct Validations: Sendable {
    /// What happens to members no rule and no property names.
    public enum UnknownFields: Sendable {
        /// They are ignored, as zod's objects and Codable do by default.
        case allowed
        /// They are an issue (`unrecognized_keys`), as zod's `.strict()`; the document says
        /// `additionalProperties: false`. Only declared fields are known then: declare each one,
        /// with ``Validator/valid`` where it has no rule.
        case refused
    }

    /// Whether members not declared are refused; ``UnknownFields/allowed`` unless set.
    public var unknownFields = UnknownFields.allowed

    enum Entry: Sendable {
        /// A field and the checks on its value.
        case field(key: String, required: Bool, check: FieldCheck)
        /// A nested object, or each object of an array, with rules of its own.
        case object(key: String, required: Bool, each: Bool, rules: Validations)
    }

    /// Checks a field's JSON value: its type, then its rules; and writes them into its schema.
    struct FieldCheck: Sendable {
        /// Whether the rules apply to each element of an array instead of the value.
        let each: Bool
        let validate: @Sendable (JSON, _ lenient: Bool, _ path: ValidationPath, _ failure: inout ValidationFailure) -> Void
        let schema: @Sendable (inout JSONObject) -> Void
        /// What is wrong with the rules themselves: ``Validator/problems``.
        let problems: [String]
    }

    private(set) var entries: [Entry] = []

    /// No rules yet.
    public init() {}

    /// The field `key` must be a `type`, and follow `validator`.
    ///
    /// - Parameters:
    ///   - key: the field's name in the body, as the type decodes it.
    ///   - type: `String`, `Int` (a whole number: `1.5` is an issue), `Double`, `Bool`, or an array of them.
    ///   - validator: the rules; ``Validator/valid`` for none.
    ///   - required: whether it must be there; when false, a missing field or `null` is fine.
    public mutating func add<Value: ValidatedValue>(_ key: String, as type: Value.Type, is validator: Validator<Value> = .valid, required: Bool = true) {
        entries.append(.field(key: key, required: required, check: Self.check(validator, each: false)))
    }

    /// Each element of the array `key` must be a `type`, and follow `validator`. The array itself
    /// is required only by an ``add(_:as:is:required:)`` of its own, or by its property's type.
    public mutating func add<Value: ValidatedValue>(each key: String, as type: Value.Type, is validator: Validator<Value>) {
        entries.append(.field(key: key, required: false, check: Self.check(validator, each: true)))
    }

    /// The field `key` must be an object that follows `rules`.
    public mutating func add(_ key: String, required: Bool = true, _ rules: (inout Validations) -> Void) {
        var nested = Validations()
        rules(&nested)
        entries.append(.object(key: key, required: required, each: false, rules: nested))
    }

    /// Each element of the array `key` must be an object that follows `rules`.
    public mutating func add(each key: String, _ rules: (inout Validations) -> Void) {
        var nested = Validations()
        rules(&nested)
        entries.append(.object(key: key, required: false, each: true, rules: nested))
    }

    /// The names the rules declare at this level.
    var keys: [String] {
        entries.map {
            switch $0 {
            case .field(let key, _, _), .object(let key, _, _, _): key
            }
        }
    }

    private static func check<Value: ValidatedValue>(_ validator: Validator<Value>, each: Bool) -> FieldCheck {
        FieldCheck(
            each: each,
            validate: { json, lenient, path, failure in
                guard let value = Value.validated(from: json, lenient: lenient, path: path, failure: &failure) else { return }
                validator.check(value, path: path, failure: &failure)
            },
            schema: { schema in
                Value.describe(&schema)
                validator.describe(&schema)
            },
            problems: validator.problems)
    }
}

extension Validatable {
    /// The type's rules.
    static var rules: Validations {
        var rules = Validations()
        validations(&rules)
        return rules
    }
}
