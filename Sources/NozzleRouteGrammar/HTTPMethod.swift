/// The HTTP methods a route answers, and that its handlers are named after: one home for them,
/// shared by the core (``CORS``'s methods, the schemas a route declares per method, `Allow`) and the
/// route compiler (the handler names it looks for).
///
/// ```swift
/// CORS(methods: [.GET, .HEAD])
/// RouteConfig(schemas: [.POST: OperationSchema(request: NewUser.self)])
/// ```
///
/// A string literal works too (`["GET", "HEAD"]`), and one that names no method, such as `"GTE"`,
/// stops the app at start with a message naming it, instead of a route that never matches.
public enum HTTPMethod: String, CaseIterable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    case GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS

    public init(stringLiteral value: String) {
        guard let method = HTTPMethod(rawValue: value) else { fatalError(HTTPMethod.unknown(value)) }
        self = method
    }

    /// What stops the app when a string names no method.
    public static func unknown(_ value: String) -> String {
        "'\(value)' is not an HTTP method a route answers: use one of \(allCases.map(\.rawValue).joined(separator: ", "))"
    }

    public var description: String { rawValue }
}
