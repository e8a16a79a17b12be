import Nozzle

/// `POST /api/profile` with `displayName`: a form route for htmx. It stores the name in the session,
/// answers htmx with the new fragment, fires `profileUpdated` (`HX-Trigger`) and puts `/profile` in
/// the address bar (`HX-Push-Url`). Other clients get the negotiated 303 or JSON.
enum Profile: APIRoute {
    static let config = RouteConfig(schemas: [
        .POST: OperationSchema(request: ProfileFields.self)
            .answering(401, "Not logged in")
            .answering(303, "A form post: to `/profile`"),
    ])

    static func POST(_ req: Request, _ res: Response) throws {
        guard var session = try SessionCookie.read(req) else { throw HTTPError(401, "Not logged in") }
        _ = try req.body.decode(ProfileFields.self)
        let fields = try FormFields(req)
        guard let displayName = fields["displayName"], displayName.count <= 60 else {
            throw fail(400, ["error": "displayName must be 1 to 60 characters", "field": "displayName"])
        }
        session["displayName"] = .string(displayName)
        try SessionCookie.write(session, to: res, for: req)
        if req.isHTMX {
            res.htmx.trigger("profileUpdated").pushURL("/profile")
            res.send("<span id=\"display-name\">\(HTML.escape(displayName))</span>")
        } else {
            res.negotiatedRedirect(req, to: "/profile", json: ["displayName": .string(displayName)])
        }
    }
}

/// What `POST /api/profile` takes.
struct ProfileFields: Codable, Validatable {
    var displayName: String

    static func validations(_ rules: inout Validations) {
        rules.add("displayName", as: String.self, is: .count(1...60) && .notBlank)
    }
}
