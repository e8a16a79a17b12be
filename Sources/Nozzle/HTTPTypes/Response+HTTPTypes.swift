#if HTTPTypes
import HTTPTypes

extension Response {
    /// The response's header fields as swift-http-types' `HTTPFields`; setting them replaces every
    /// header. A field whose name the types do not take is left out of what is read.
    ///
    /// ```swift
    /// res.httpFields[.cacheControl] = "no-store"
    /// ```
    public var httpFields: HTTPFields {
        get { HTTPFields(headers) }
        set { headers = Headers(newValue) }
    }

    /// The response's head as swift-http-types' `HTTPResponse`: its status, reason phrase and
    /// header fields. Setting it sets all three, so that code that makes an `HTTPResponse` can
    /// answer through Nozzle:
    ///
    /// ```swift
    /// res.httpResponse = HTTPResponse(status: .created, headerFields: [.location: "/api/users/42"])
    /// res.json(user)
    /// ```
    ///
    /// A reason phrase that is the standard one for its code is not kept as a custom one.
    public var httpResponse: HTTPResponse {
        get {
            HTTPResponse(status: .init(code: statusCode, reasonPhrase: statusMessage ?? HTTPStatus.reason(statusCode)), headerFields: httpFields)
        }
        set {
            status(newValue.status.code)
            let reason = newValue.status.reasonPhrase
            statusMessage = reason.isEmpty || reason == HTTPStatus.reason(newValue.status.code) ? nil : reason
            headers = Headers(newValue.headerFields)
        }
    }
}
#endif
