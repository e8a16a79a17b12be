/// An error that renders itself as a status and a JSON body.
///
/// Throw it from a handler or middleware to answer with that status:
///
/// ```swift
/// guard let user else { throw HTTPError(404, "User not found") }   // 404 {"error":"User not found"}
/// throw fail(422, ["field": "email", "reason": "taken"])            // 422 with that body
/// ```
public struct HTTPError: Error, Sendable {
    /// The status to send.
    public var status: Int
    /// The JSON body to send.
    public var body: JSON
    /// Extra headers to send, such as `Allow` or `Retry-After`.
    public var headers: Headers
    /// The reason phrase of the status line, when not the standard one: ``Response/statusMessage``.
    /// The body parser's own answers carry their message here, as Next.js sends them
    /// (`400 Invalid JSON`, `413 Body exceeded 1mb limit`).
    public var statusMessage: String?

    /// An error whose body is `{"error": message}`.
    public init(_ status: Int, _ message: String? = nil, headers: Headers = Headers()) {
        self.status = status
        self.body = ["error": .string(message ?? HTTPStatus.reason(status))]
        self.headers = headers
    }

    /// An error with a JSON body of your own.
    public init(_ status: Int, body: JSON, headers: Headers = Headers()) {
        self.status = status
        self.body = body
        self.headers = headers
    }
}

/// An ``HTTPError`` with `data` as its body, as the `fail(status, data)` helper of Luat-style routes.
public func fail(_ status: Int, _ data: JSON) -> HTTPError {
    if case .string(let message) = data { return HTTPError(status, message) }
    return HTTPError(status, body: data)
}

extension HTTPError {
    /// This error with its `error` message as the status line's reason phrase, as Next.js sends
    /// the body parser's answers.
    func withMessageAsReason() -> HTTPError {
        var error = self
        if case .string(let message)? = body["error"] { error.statusMessage = message }
        return error
    }

    /// A 413 that names the body-parser option whose limit a request went past:
    /// `{"error":"Too many parameters","limit":"parameterLimit","max":1000}`.
    static func limitExceeded(_ message: String, option: String, max: Int) -> HTTPError {
        HTTPError(413, body: ["error": .string(message), "limit": .string(option), "max": .int(max)])
    }
}
