import Nozzle

/// `POST /api/login` with `name` and `password`, as a form or JSON.
///
/// - An HTML form post gets 303 to `location` (or `/`); a JSON client gets `{"user": {...}}`.
/// - An htmx request gets `HX-Redirect` and an `HX-Trigger` event with a message.
/// - Wrong credentials: 401 JSON, a 303 back to `/login?error=1` for a form, or for htmx the error
///   swapped into `#login-error` (`HX-Retarget`, `HX-Reswap`).
enum Login: APIRoute {
    static let config = RouteConfig(schemas: [
        .POST: OperationSchema(request: LoginFields.self)
            .answering(401, "Wrong name or password (a JSON client; a form gets the 303 back to the login page)")
            .answering(303, "A form post: to `location` (or `/`), or back to `/login?error=1`"),
    ])

    static func POST(_ req: Request, _ res: Response) throws {
        _ = try req.body.decode(LoginFields.self)
        let fields = try FormFields(req)
        guard let name = fields["name"] else { throw fail(400, ["error": "name is required", "field": "name"]) }
        guard let password = fields["password"] else { throw fail(400, ["error": "password is required", "field": "password"]) }
        guard Accounts.check(name: name, password: password) else {
            req.log.warning("failed login for \(name)")
            if req.isHTMX {
                res.htmx.retarget("#login-error").reswap("innerHTML")
                res.send("<p class=\"error\">Wrong name or password.</p>")
            } else {
                res.negotiatedRedirect(req, to: "/login?error=1", json: ["error": "Invalid name or password"], status: 401)
            }
            return
        }
        try SessionCookie.write(["name": .string(name)], to: res, for: req)
        let user: JSON = ["user": ["name": .string(name)]]
        let location = fields.location(fallback: "/")
        if req.isHTMX {
            res.htmx.redirect(location).trigger(["showMessage": ["level": "success", "text": .string("Welcome, \(name)!")]])
            res.json(user)
        } else {
            res.negotiatedRedirect(req, to: location, json: user)
        }
    }
}

/// What `POST /api/login` takes.
struct LoginFields: Codable, Validatable {
    var name: String
    var password: String
    var location: String?

    static func validations(_ rules: inout Validations) {
        rules.add("name", as: String.self, is: .count(1...100) && .notBlank)
        rules.add("password", as: String.self, is: .count(1...200) && .notBlank)
        rules.add("location", as: String.self, required: false)
    }
}
