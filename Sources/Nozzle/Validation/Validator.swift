/// The rules one value must follow, combined with `&&`: `.count(1...100) && .email`. Each rule
/// checks in time linear in the value, and writes itself into the value's JSON Schema.
public struct Validator<Value: Sendable>: Sendable {
    struct Rule: Sendable {
        /// zod's code for a value that breaks it.
        let code: String
        /// Whether the value follows the rule.
        let test: @Sendable (Value) -> Bool
        /// Why a value does not: made only when the issue is listed.
        let message: @Sendable (Value) -> String
        let schema: @Sendable (inout JSONObject) -> Void
    }

    let rules: [Rule]
    /// What is wrong with the rules themselves (a pattern that does not compile): the app reports
    /// them at start, naming the type and the field.
    let problems: [String]

    init(_ rules: [Rule], problems: [String] = []) {
        self.rules = rules
        self.problems = problems
    }

    /// One rule.
    init(
        _ code: String, schema: @escaping @Sendable (inout JSONObject) -> Void, test: @escaping @Sendable (Value) -> Bool,
        message: @escaping @Sendable (Value) -> String
    ) {
        rules = [Rule(code: code, test: test, message: message, schema: schema)]
        problems = []
    }

    /// No rule: the value need only be of its type.
    public static var valid: Validator { Validator([]) }

    /// Both sets of rules; every one broken is an issue of its own.
    public static func && (lhs: Validator, rhs: Validator) -> Validator { Validator(lhs.rules + rhs.rules, problems: lhs.problems + rhs.problems) }

    func check(_ value: Value, path: ValidationPath, failure: inout ValidationFailure) {
        for rule in rules where !rule.test(value) {
            failure.append(path: path, code: rule.code, message: rule.message(value))
        }
    }

    func describe(_ schema: inout JSONObject) {
        for rule in rules { rule.schema(&schema) }
    }
}

/// Bounds of a length or a count, from any of Swift's integer ranges.
struct CountBounds: Sendable {
    let minimum: Int?
    let maximum: Int?
}

extension ClosedRange<Int> {
    var bounds: CountBounds { CountBounds(minimum: lowerBound, maximum: upperBound) }
}

extension PartialRangeFrom<Int> {
    var bounds: CountBounds { CountBounds(minimum: lowerBound, maximum: nil) }
}

extension PartialRangeThrough<Int> {
    var bounds: CountBounds { CountBounds(minimum: nil, maximum: upperBound) }
}

// MARK: - Strings

extension Validator where Value == String {
    /// Between `range`'s bounds in length, counted in Unicode scalars as JSON Schema counts
    /// (`minLength`, `maxLength`).
    public static func count(_ range: ClosedRange<Int>) -> Validator { length(range.bounds) }
    /// At least `range.lowerBound` long: `.count(1...)` is zod's `.min(1)`, a non-empty string.
    public static func count(_ range: PartialRangeFrom<Int>) -> Validator { length(range.bounds) }
    /// At most `range.upperBound` long.
    public static func count(_ range: PartialRangeThrough<Int>) -> Validator { length(range.bounds) }

    private static func length(_ bounds: CountBounds) -> Validator {
        var rules = Validator.valid
        if let minimum = bounds.minimum {
            rules = rules && Validator("too_small", schema: { $0["minLength"] = .int(minimum) }, test: { $0.unicodeScalars.count >= minimum }) { _ in
                "String must contain at least \(minimum) character(s)"
            }
        }
        if let maximum = bounds.maximum {
            rules = rules && Validator("too_big", schema: { $0["maxLength"] = .int(maximum) }, test: { $0.unicodeScalars.count <= maximum }) { _ in
                "String must contain at most \(maximum) character(s)"
            }
        }
        return rules
    }

    /// A character other than whitespace somewhere (`pattern: \S`): a name of spaces is no name.
    public static var notBlank: Validator {
        Validator("invalid_string", schema: { addPattern("\\S", to: &$0) }, test: { $0.unicodeScalars.contains { !$0.properties.isWhitespace } }) { _ in
            "String must not be blank"
        }
    }

    /// The pattern occurs in the string (`pattern`; zod's `.regex()`): `.pattern("^[a-z0-9-]+$")`
    /// for a slug. JSON Schema's subset of ECMA-262's syntax, searched for anywhere unless anchored,
    /// and matched in time linear in the string (see ``Pattern``). A pattern that does not compile
    /// stops the app at start, naming the type, the field and what is wrong.
    public static func pattern(_ source: String) -> Validator {
        let compiled: Pattern
        do {
            compiled = try Pattern(source)
        } catch {
            return Validator([], problems: ["the pattern \(source) does not compile: \(error)"])
        }
        return Validator("invalid_string", schema: { addPattern(source, to: &$0) }, test: compiled.matches) { _ in
            "String must match the pattern \(source)"
        }
    }

    /// Writes `pattern` into a schema; a second one goes into `allOf`, since a schema has one.
    private static func addPattern(_ pattern: String, to schema: inout JSONObject) {
        guard schema["pattern"] != nil else {
            schema["pattern"] = .string(pattern)
            return
        }
        var all = schema["allOf"]?.arrayValue ?? []
        all.append(["pattern": .string(pattern)])
        schema["allOf"] = .array(all)
    }

    /// An email address, as zod's `.email()` and the document's `format: email` take it.
    public static var email: Validator { format("email", "Invalid email", StringFormats.isEmail) }
    /// A UUID in its 8-4-4-4-12 hex form (`format: uuid`).
    public static var uuid: Validator { format("uuid", "Invalid uuid", StringFormats.isUUID) }
    /// An RFC 3339 date and time with an offset, `2026-12-05T20:36:00Z` (`format: date-time`).
    public static var dateTime: Validator { format("date-time", "Invalid datetime", StringFormats.isDateTime) }
    /// An absolute URI, `https://example.com/a?b` (`format: uri`).
    public static var uri: Validator { format("uri", "Invalid url", StringFormats.isURI) }

    private static func format(_ name: String, _ message: String, _ test: @escaping @Sendable (String) -> Bool) -> Validator {
        Validator("invalid_string", schema: { $0["format"] = .string(name) }, test: test) { _ in message }
    }

    /// One of `values` (`enum`).
    public static func oneOf(_ values: [String]) -> Validator {
        let allowed = Set(values)
        let expected = values.map { "'\($0)'" }.joined(separator: " | ")
        return Validator("invalid_enum_value", schema: { $0["enum"] = .array(values.map(JSON.string)) }, test: { allowed.contains($0) }) { text in
            "Invalid enum value. Expected \(expected), received '\(text.prefix(100))'"
        }
    }
}

// MARK: - Numbers

/// A number a rule can bound: `Int` and `Double`.
public protocol ValidatedNumber: ValidatedValue, Comparable, Hashable {
    /// The number as the document writes it.
    var json: JSON { get }
}

extension Int: ValidatedNumber {
    public var json: JSON { .int(self) }
}

extension Double: ValidatedNumber {
    public var json: JSON { .double(self) }
}

extension Validator where Value: ValidatedNumber {
    /// Within `range`, both ends included (`minimum`, `maximum`).
    public static func range(_ range: ClosedRange<Value>) -> Validator { atLeast(range.lowerBound) && atMost(range.upperBound) }
    /// At least `range.lowerBound`: `.range(0...)`.
    public static func range(_ range: PartialRangeFrom<Value>) -> Validator { atLeast(range.lowerBound) }
    /// At most `range.upperBound`: `.range(...100)`.
    public static func range(_ range: PartialRangeThrough<Value>) -> Validator { atMost(range.upperBound) }

    private static func atLeast(_ minimum: Value) -> Validator {
        Validator("too_small", schema: { $0["minimum"] = minimum.json }, test: { $0 >= minimum }) { _ in
            "Number must be greater than or equal to \(minimum)"
        }
    }

    private static func atMost(_ maximum: Value) -> Validator {
        Validator("too_big", schema: { $0["maximum"] = maximum.json }, test: { $0 <= maximum }) { _ in
            "Number must be less than or equal to \(maximum)"
        }
    }

    /// Greater than `bound`, which is excluded (`exclusiveMinimum`): zod's `.gt()`, `.positive()` as `.greaterThan(0)`.
    public static func greaterThan(_ bound: Value) -> Validator {
        Validator("too_small", schema: { $0["exclusiveMinimum"] = bound.json }, test: { $0 > bound }) { _ in
            "Number must be greater than \(bound)"
        }
    }

    /// Less than `bound`, which is excluded (`exclusiveMaximum`): zod's `.lt()`.
    public static func lessThan(_ bound: Value) -> Validator {
        Validator("too_big", schema: { $0["exclusiveMaximum"] = bound.json }, test: { $0 < bound }) { _ in
            "Number must be less than \(bound)"
        }
    }

    /// One of `values` (`enum`).
    public static func oneOf(_ values: [Value]) -> Validator {
        let allowed = Set(values)
        let expected = values.map { "\($0)" }.joined(separator: " | ")
        return Validator("invalid_enum_value", schema: { $0["enum"] = .array(values.map(\.json)) }, test: { allowed.contains($0) }) { value in
            "Invalid enum value. Expected \(expected), received \(value)"
        }
    }
}

extension Validator where Value == Int {
    /// A multiple of `divisor` (`multipleOf`).
    public static func multipleOf(_ divisor: Int) -> Validator {
        precondition(divisor > 0, "multipleOf takes a positive divisor")
        return Validator("not_multiple_of", schema: { $0["multipleOf"] = .int(divisor) }, test: { $0 % divisor == 0 }) { _ in
            "Number must be a multiple of \(divisor)"
        }
    }
}

// MARK: - Arrays

extension Validator {
    /// Between `range`'s bounds in elements (`minItems`, `maxItems`).
    public static func count<Element>(_ range: ClosedRange<Int>) -> Validator where Value == [Element] { items(range.bounds) }
    /// At least `range.lowerBound` elements: `.count(1...)`, a non-empty array.
    public static func count<Element>(_ range: PartialRangeFrom<Int>) -> Validator where Value == [Element] { items(range.bounds) }
    /// At most `range.upperBound` elements.
    public static func count<Element>(_ range: PartialRangeThrough<Int>) -> Validator where Value == [Element] { items(range.bounds) }

    private static func items<Element>(_ bounds: CountBounds) -> Validator where Value == [Element] {
        var rules = Validator.valid
        if let minimum = bounds.minimum {
            rules = rules && Validator("too_small", schema: { $0["minItems"] = .int(minimum) }, test: { $0.count >= minimum }) { _ in
                "Array must contain at least \(minimum) element(s)"
            }
        }
        if let maximum = bounds.maximum {
            rules = rules && Validator("too_big", schema: { $0["maxItems"] = .int(maximum) }, test: { $0.count <= maximum }) { _ in
                "Array must contain at most \(maximum) element(s)"
            }
        }
        return rules
    }
}

extension Validator where Value: Collection, Value.Element: Hashable {
    /// No element twice (`uniqueItems`), checked in one pass.
    public static var unique: Validator {
        Validator("not_unique", schema: { $0["uniqueItems"] = true }, test: { repeated(in: $0) == nil }) { array in
            "Array must not contain the same element twice: \(String(describing: repeated(in: array)!).prefix(100)) repeats"
        }
    }

    /// The first element seen twice.
    private static func repeated(in array: Value) -> Value.Element? {
        var seen = Set<Value.Element>(minimumCapacity: array.count)
        for element in array where !seen.insert(element).inserted { return element }
        return nil
    }
}
