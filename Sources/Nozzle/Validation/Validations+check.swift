extension Validations {
    /// Checks `value`, an object, against the rules, adding every issue to `failure`. One pass over
    /// the members the rules name, and over every member when unknown ones are refused.
    ///
    /// `req.body.decode(_:)` and `req.query.decode(_:)` call it for a ``Validatable`` type; `lenient`
    /// reads strings as numbers and booleans, as for a form or a query.
    public func validate(_ value: JSON, lenient: Bool = false, path: ValidationPath = .root, failure: inout ValidationFailure) {
        guard case .object(let object) = value else {
            failure.append(path: path, code: "invalid_type", message: "Expected object, received \(value.kindName)")
            return
        }
        for entry in entries {
            switch entry {
            case .field(let key, let required, let check):
                guard let member = present(object, key, required: required, path: path, failure: &failure) else { continue }
                let memberPath = path.appending(.key(key))
                guard check.each else {
                    check.validate(member, lenient, memberPath, &failure)
                    continue
                }
                for (index, element) in elements(member, lenient: lenient, path: memberPath, failure: &failure) {
                    check.validate(element, lenient, memberPath.appending(.index(index)), &failure)
                }
            case .object(let key, let required, let each, let rules):
                guard let member = present(object, key, required: required, path: path, failure: &failure) else { continue }
                let memberPath = path.appending(.key(key))
                guard each else {
                    rules.validate(member, lenient: lenient, path: memberPath, failure: &failure)
                    continue
                }
                for (index, element) in elements(member, lenient: lenient, path: memberPath, failure: &failure) {
                    rules.validate(element, lenient: lenient, path: memberPath.appending(.index(index)), failure: &failure)
                }
            }
        }
        if unknownFields == .refused {
            let known = Set(keys)
            let unknown = object.compactMap { known.contains($0.key) ? nil : $0.key }
            if !unknown.isEmpty {
                let listed = unknown.prefix(20).map { "'\($0.prefix(100))'" }.joined(separator: ", ")
                failure.append(path: path, code: "unrecognized_keys", message: "Unrecognized key(s) in object: \(listed)")
            }
        }
    }

    /// The member `key`, when it is there and not null; a required one missing is an issue.
    private func present(_ object: JSONObject, _ key: String, required: Bool, path: ValidationPath, failure: inout ValidationFailure) -> JSON? {
        guard let member = object[key], member != .null else {
            if required { failure.append(path: path.appending(.key(key)), code: "invalid_type", message: "Required") }
            return nil
        }
        return member
    }

    /// An array's elements; a form field given once is a list of one.
    private func elements(_ value: JSON, lenient: Bool, path: ValidationPath, failure: inout ValidationFailure) -> EnumeratedSequence<[JSON]> {
        switch value {
        case .array(let array): return array.enumerated()
        case .string where lenient: return [value].enumerated()
        default:
            failure.append(path: path, code: "invalid_type", message: "Expected array, received \(value.kindName)")
            return [].enumerated()
        }
    }

    /// `type: string` as `type: [string, null]`, and `null` among an `enum`'s values.
    private static func allowNull(_ schema: inout JSONObject) {
        if case .string(let type)? = schema["type"] { schema["type"] = [.string(type), "null"] }
        if case .array(var values)? = schema["enum"], !values.contains(.null) {
            values.append(.null)
            schema["enum"] = .array(values)
        }
    }

    /// Writes the rules into `schema`, an object's JSON Schema, as the OpenAPI document shows them.
    public func describe(_ schema: inout JSONObject) {
        var properties = schema["properties"]?.objectValue ?? JSONObject()
        var required = (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        for entry in entries {
            switch entry {
            case .field(let key, let isRequired, let check):
                var property = properties[key]?.objectValue ?? JSONObject()
                if check.each {
                    var items = property["items"]?.objectValue ?? JSONObject()
                    check.schema(&items)
                    property["type"] = "array"
                    property["items"] = .object(items)
                } else {
                    check.schema(&property)
                    // An optional field may also be null, as decoding into an optional takes it.
                    if !isRequired { Self.allowNull(&property) }
                }
                properties[key] = .object(property)
                if isRequired && !required.contains(key) { required.append(key) }
            case .object(let key, let isRequired, let each, let rules):
                var property = properties[key]?.objectValue ?? JSONObject()
                if each {
                    var items = property["items"]?.objectValue ?? JSONObject()
                    items["type"] = "object"
                    rules.describe(&items)
                    property["type"] = "array"
                    property["items"] = .object(items)
                } else {
                    property["type"] = "object"
                    rules.describe(&property)
                }
                properties[key] = .object(property)
                if isRequired && !required.contains(key) { required.append(key) }
            }
        }
        schema["type"] = "object"
        schema["properties"] = .object(properties)
        if !required.isEmpty { schema["required"] = .array(required.map(JSON.string)) }
        if unknownFields == .refused { schema["additionalProperties"] = false }
    }
}
