/// What one method of a route takes and gives, for the app's OpenAPI document (`app openapi`): the
/// type of its request body, the type of its response body, and the status it answers with.
///
/// ```swift
/// enum Users: APIRoute {
///     static let config = RouteConfig(schemas: [
///         "GET": OperationSchema(response: UserPage.self),
///         "POST": OperationSchema(request: NewUser.self, response: User.self, status: 201),
///     ])
/// }
/// ```
///
/// The schemas are read from the types' `Decodable` conformance: make response types `Codable`.
/// Properties read with `decodeIfPresent` (optionals) are not required; a `CaseIterable` enum lists
/// its raw values.
public struct OperationSchema: Sendable {
    /// The request body's JSON Schema, if declared.
    public let request: JSON?
    /// The response body's JSON Schema, if declared.
    public let response: JSON?
    /// The status a success answers with: 200 unless declared.
    public let status: Int
    /// The other statuses the method answers itself, each with what it means (409 "A user with
    /// this email already exists", 401 …); their body is `{"error": …}`. See ``answering(_:_:)``.
    public private(set) var answers: [Int: String] = [:]
    /// The query parameters' types and rules, checked before the handler; see ``query(_:)``.
    public private(set) var queryParameters: ParameterRules?
    /// Validation rules of the request type that name fields it does not decode: ``App/configurationErrors``.
    var ruleProblems: [String] = []

    /// The same, with query parameters of `type`'s properties: checked before the handler runs (a
    /// 400 `{"error":"Invalid query",…}` naming each one that breaks a rule), and listed in the
    /// document with their schemas.
    ///
    /// ```swift
    /// .GET: OperationSchema(response: UserPage.self).query(ListQuery.self),
    /// ```
    public func query(_ type: any Validatable.Type) -> OperationSchema {
        var schema = self
        schema.queryParameters = ParameterRules(type)
        return schema
    }

    /// A method that takes no body and answers with `status` (204, say) and no body described.
    public init(status: Int = 200) {
        request = nil
        response = nil
        self.status = status
    }

    /// The same, also answering `status` when `description` says so, with an `{"error": …}` body:
    /// what the document lists beside the answers Nozzle gives by itself.
    ///
    /// ```swift
    /// .POST: OperationSchema(request: UserFields.self, response: User.self, status: 201)
    ///     .answering(409, "A user with this email already exists"),
    /// ```
    public func answering(_ status: Int, _ description: String) -> OperationSchema {
        var schema = self
        schema.answers[status] = description
        return schema
    }

    /// A method that takes a `Request` body and answers a `Response` body with `status`.
    public init<Request: Decodable, Response: Decodable>(request: Request.Type, response: Response.Type, status: Int = 200) {
        self.request = SchemaDecoder.schema(of: request)
        self.response = SchemaDecoder.schema(of: response)
        self.status = status
        ruleProblems = SchemaDecoder.ruleProblems(of: request)
    }

    /// A method that takes a `Request` body and answers with `status` (204, say) and no body described.
    public init<Request: Decodable>(request: Request.Type, status: Int = 200) {
        self.request = SchemaDecoder.schema(of: request)
        self.response = nil
        self.status = status
        ruleProblems = SchemaDecoder.ruleProblems(of: request)
    }

    /// A method that takes no body and answers a `Response` body with `status`.
    public init<Response: Decodable>(response: Response.Type, status: Int = 200) {
        self.request = nil
        self.response = SchemaDecoder.schema(of: response)
        self.status = status
    }

    /// The JSON Schema of any `Decodable` type, as the document shows it.
    public static func schema<T: Decodable>(of type: T.Type) -> JSON { SchemaDecoder.schema(of: type) }
}
