extension Response {
    /// Answers a form post the way Enhance's `{ location, json }` does: a browser that posted an
    /// HTML form gets `303 See Other` to `location`, and a client that asked for JSON gets `json`.
    ///
    /// The choice is ``Request/accepts(_:)-(String...)`` between JSON and HTML: a browser's form post
    /// sends `Accept: text/html,…`, while `fetch` and curl send `application/json` or `*/*`.
    ///
    /// ```swift
    /// static func POST(_ req: Request, _ res: Response) {
    ///     res.negotiatedRedirect(req, to: "/?success=true", json: ["message": "successfully registered"])
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - req: the request being answered, for its `Accept` header.
    ///   - location: where an HTML client goes next.
    ///   - json: the body for a JSON client.
    ///   - status: the status for a JSON client; 200 unless given.
    public func negotiatedRedirect(_ req: Request, to location: String, json: JSON, status: Int = 200) {
        if req.accepts("json", "html") == "html" {
            redirect(303, location)
        } else {
            self.status(status).json(json)
        }
    }
}
