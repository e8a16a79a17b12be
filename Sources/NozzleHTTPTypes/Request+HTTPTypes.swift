public import HTTPTypes
import Nozzle

extension Request {
    /// The request as swift-http-types' `HTTPRequest`, for code written against the ecosystem's
    /// currency types: its method, scheme (`https` when the web server says so), authority (the
    /// `Host` header), path with its query as the client sent it, and header fields.
    ///
    /// ```swift
    /// let request = req.httpRequest
    /// if request.method == .post, request.headerFields[.contentType] == "application/json" { … }
    /// ```
    ///
    /// A method the types do not take (not a token) reads as `GET`; it cannot reach a route.
    public var httpRequest: HTTPRequest {
        HTTPRequest(
            method: HTTPRequest.Method(method) ?? .get, scheme: `protocol`, authority: headers["Host"], path: url,
            headerFields: httpFields)
    }

    /// The request's header fields as swift-http-types' `HTTPFields`, in the order they came. A
    /// field whose name the types do not take is left out.
    public var httpFields: HTTPFields { HTTPFields(headers) }
}

extension HTTPFields {
    /// `headers` as fields, in order; a name that is not a token is left out.
    public init(_ headers: Headers) {
        self.init()
        reserveCapacity(headers.fields.count)
        for (name, value) in headers.fields {
            guard let name = HTTPField.Name(name) else { continue }
            append(HTTPField(name: name, value: value))
        }
    }
}

extension Headers {
    /// `fields` as headers, in order, with the names as the fields spell them.
    public init(_ fields: HTTPFields) {
        self.init(fields.map { ($0.name.rawName, $0.value) })
    }
}
