public import HTTPTypes
import Nozzle

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
            let status = statusMessage.map { HTTPResponse.Status(code: statusCode, reasonPhrase: $0) } ?? HTTPResponse.Status(code: statusCode)
            return HTTPResponse(status: status, headerFields: httpFields)
        }
        set {
            status(newValue.status.code)
            let reason = newValue.status.reasonPhrase
            statusMessage = reason.isEmpty || reason == HTTPResponse.Status(code: newValue.status.code).reasonPhrase ? nil : reason
            headers = Headers(newValue.headerFields)
        }
    }
}
