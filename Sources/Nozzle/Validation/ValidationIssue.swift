/// One rule a body or query broke: where, which, and why, as one of zod's `issues`.
public struct ValidationIssue: Sendable, Equatable {
    /// Where in the body: member names and array indexes, from the top.
    public var path: [PathElement]
    /// zod's code for it: `invalid_type`, `too_small`, `too_big`, `invalid_string`,
    /// `invalid_enum_value`, `not_unique`, `not_multiple_of`, `unrecognized_keys`.
    public var code: String
    /// What a person reads: `String must contain at least 1 character(s)`.
    public var message: String

    /// An issue.
    public init(path: [PathElement], code: String, message: String) {
        self.path = path
        self.code = code
        self.message = message
    }

    /// The path as one string: `items[2].name`.
    public var field: String {
        var text = ""
        for element in path {
            switch element {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// `{"path":["items",2,"name"],"field":"items[2].name","code":"too_small","message":"…"}`.
    public var json: JSON {
        let path = self.path.map { element -> JSON in
            switch element {
            case .key(let key): .string(key)
            case .index(let index): .int(index)
            }
        }
        return ["path": .array(path), "field": .string(field), "code": .string(code), "message": .string(message)]
    }
}

/// One step of a path into a body: a member's name or an array's index.
public enum PathElement: Sendable, Hashable {
    case key(String)
    case index(Int)
}

/// Where a value is in a body, as the checks go down into it. Stepping into one more member or
/// element keeps the step beside the path so far, so that checking each element of a large array
/// allocates nothing; the whole path is put together only for an issue that is listed.
public struct ValidationPath: Sendable {
    private var base: [PathElement]
    private var last: PathElement?

    /// The top of the body.
    public static let root = ValidationPath(base: [], last: nil)

    /// The path one step further.
    public func appending(_ element: PathElement) -> ValidationPath {
        guard let last else { return ValidationPath(base: base, last: element) }
        return ValidationPath(base: base + [last], last: element)
    }

    /// The steps, from the top.
    public var elements: [PathElement] { last.map { base + [$0] } ?? base }
}

/// The issues of one body or query found so far, as a 400 answers them: at most ``listLimit``
/// listed, all of them counted.
public struct ValidationFailure: Sendable {
    /// The most listed in one answer; ``count`` says how many there were.
    public static let listLimit = 100

    /// The issues listed.
    public private(set) var issues: [ValidationIssue] = []
    /// How many issues there were.
    public private(set) var count = 0

    /// No issue yet.
    public init() {}

    /// Adds an issue.
    public mutating func append(_ issue: ValidationIssue) {
        count += 1
        if issues.count < Self.listLimit { issues.append(issue) }
    }

    /// Adds an issue, building its path and message only when it is listed: past ``listLimit``,
    /// an issue costs a count.
    public mutating func append(path: ValidationPath, code: String, message: @autoclosure () -> String) {
        count += 1
        if issues.count < Self.listLimit { issues.append(ValidationIssue(path: path.elements, code: code, message: message())) }
    }

    /// The 400: `error`, the first issue's `field` and `reason` (what a decoding failure answers), and every issue.
    func error(_ message: String) -> HTTPError {
        var body: JSONObject = ["error": .string(message)]
        if let first = issues.first {
            body["field"] = .string(first.field)
            body["reason"] = .string(first.message)
        }
        body["issues"] = .array(issues.map(\.json))
        if count > issues.count { body["issueCount"] = .int(count) }
        return HTTPError(400, body: .object(body))
    }
}
