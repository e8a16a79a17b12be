/// A route's path parameters or a method's query parameters, declared as a ``Validatable`` type:
/// their types and rules are checked before the handler runs (a 400 naming each parameter that
/// breaks one), and the OpenAPI document gives each parameter its schema.
///
/// ```swift
/// struct UserPath: Decodable, Validatable {
///     var id: Int
///     static func validations(_ rules: inout Validations) { rules.add("id", as: Int.self, is: .range(1...)) }
/// }
/// static let config = RouteConfig(params: UserPath.self, schemas: [
///     .GET: OperationSchema(response: User.self).query(Fields.self),
/// ])
/// ```
public struct ParameterRules: Sendable {
    let rules: Validations
    /// The type's JSON Schema: an object whose properties are the parameters.
    let schema: JSON
    /// Rules naming a field the type does not decode.
    let problems: [String]

    /// The rules and schema of `type`.
    public init(_ type: any Validatable.Type) {
        func read<T: Validatable>(_ type: T.Type) -> (Validations, JSON, [String]) {
            (T.rules, SchemaDecoder.schema(of: type), SchemaDecoder.ruleProblems(of: type))
        }
        (rules, schema, problems) = read(type)
    }

    /// The 400 for `values` (the parameters as a JSON object of strings), or nil when they follow
    /// the rules. Strings are read as numbers and booleans where a rule wants one.
    func check(_ values: JSON, what: String) -> HTTPError? {
        var failure = ValidationFailure()
        rules.validate(values, lenient: true, failure: &failure)
        return failure.count > 0 ? failure.error(what) : nil
    }

    /// Each parameter's schema, by name. A parameter is a string in a URL, never null: an optional
    /// one is one that may be left out.
    var properties: JSONObject { OpenAPIDocument.withoutNull(schema)["properties"]?.objectValue ?? JSONObject() }

    /// The names that must be given.
    var required: Set<String> { Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue)) }
}
