/// A type a rule checks: what a JSON member must be before its rules apply. `String`, `Int` (a
/// whole number), `Double`, `Bool`, and arrays of them.
public protocol ValidatedValue: Sendable {
    /// The JSON Schema type: `string`, `integer`, `number`, `boolean`, `array`.
    static var schemaType: String { get }
    /// The value of a member; nil, with an `invalid_type` issue, when it is not one. `lenient`
    /// reads a form's or a query's strings as numbers and booleans, as decoding does.
    static func validated(from json: JSON, lenient: Bool, path: ValidationPath, failure: inout ValidationFailure) -> Self?
    /// Writes the type into a schema.
    static func describe(_ schema: inout JSONObject)
}

extension ValidatedValue {
    public static func describe(_ schema: inout JSONObject) { schema["type"] = .string(schemaType) }

    /// The `invalid_type` issue, in zod's words: `Expected string, received number`.
    static func mismatch(_ json: JSON, path: ValidationPath, failure: inout ValidationFailure) -> Self? {
        failure.append(path: path, code: "invalid_type", message: "Expected \(schemaType), received \(json.kindName)")
        return nil
    }
}

extension String: ValidatedValue {
    public static var schemaType: String { "string" }

    public static func validated(from json: JSON, lenient: Bool, path: ValidationPath, failure: inout ValidationFailure) -> String? {
        if case .string(let text) = json { return text }
        return mismatch(json, path: path, failure: &failure)
    }
}

extension Int: ValidatedValue {
    public static var schemaType: String { "integer" }

    public static func validated(from json: JSON, lenient: Bool, path: ValidationPath, failure: inout ValidationFailure) -> Int? {
        switch json {
        case .int(let number): return number
        case .double(let number) where number.rounded() == number && abs(number) < 9.0e15: return Int(number)
        case .double:
            failure.append(path: path, code: "invalid_type", message: "Expected integer, received float")
            return nil
        case .string(let text) where lenient:
            if let number = Int(text) { return number }
        default: break
        }
        return mismatch(json, path: path, failure: &failure)
    }
}

extension Double: ValidatedValue {
    public static var schemaType: String { "number" }

    public static func validated(from json: JSON, lenient: Bool, path: ValidationPath, failure: inout ValidationFailure) -> Double? {
        switch json {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .string(let text) where lenient:
            if let number = Double(text), number.isFinite { return number }
        default: break
        }
        return mismatch(json, path: path, failure: &failure)
    }
}

extension Bool: ValidatedValue {
    public static var schemaType: String { "boolean" }

    public static func validated(from json: JSON, lenient: Bool, path: ValidationPath, failure: inout ValidationFailure) -> Bool? {
        switch json {
        case .bool(let flag): return flag
        case .string(let text) where lenient:
            // What decoding a form's field into a Bool accepts.
            if ["true", "on", "1", "yes"].contains(text.lowercased()) { return true }
            if ["false", "off", "0", "no", ""].contains(text.lowercased()) { return false }
        default: break
        }
        return mismatch(json, path: path, failure: &failure)
    }
}

extension Array: ValidatedValue where Element: ValidatedValue {
    public static var schemaType: String { "array" }

    public static func validated(from json: JSON, lenient: Bool, path: ValidationPath, failure: inout ValidationFailure) -> [Element]? {
        let elements: [JSON]
        switch json {
        case .array(let array): elements = array
        // A form field given once is a list of one, as decoding reads it.
        case .string where lenient: elements = [json]
        default: return mismatch(json, path: path, failure: &failure)
        }
        var values: [Element] = []
        values.reserveCapacity(elements.count)
        var valid = true
        for (index, element) in elements.enumerated() {
            if let value = Element.validated(from: element, lenient: lenient, path: path.appending(.index(index)), failure: &failure) {
                values.append(value)
            } else {
                valid = false
            }
        }
        return valid ? values : nil
    }

    public static func describe(_ schema: inout JSONObject) {
        schema["type"] = "array"
        // Added to what other rules wrote about the elements (`add(each:)`).
        var items = schema["items"]?.objectValue ?? JSONObject()
        Element.describe(&items)
        schema["items"] = .object(items)
    }
}

/// Any value: for rules about an array whose elements have rules of their own
/// (`rules.add("lines", as: [JSON].self, is: .count(1...50))` beside `rules.add(each: "lines") { ... }`).
extension JSON: ValidatedValue {
    public static var schemaType: String { "value" }

    public static func validated(from json: JSON, lenient: Bool, path: ValidationPath, failure: inout ValidationFailure) -> JSON? { json }

    public static func describe(_ schema: inout JSONObject) {}
}

extension JSON {
    /// What zod calls a value's type in its messages: `null`, `boolean`, `number`, `string`, `array`, `object`.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
