import Nozzle

/// `/api/users`: the list, and creating a user.
enum Users: APIRoute {
    static let config = RouteConfig(schemas: [
        "GET": OperationSchema(response: UserPage.self).query(ListQuery.self),
        "POST": OperationSchema(request: UserFields.self, response: User.self, status: 201)
            .answering(409, "A user with this email already exists"),
    ])

    /// `GET /api/users?limit=20&page=1`: one page of users, oldest first. Clients and proxies may
    /// cache it for a minute (`Cache-Control: max-age=60`).
    static func GET(_ req: Request, _ res: Response) async throws {
        // Checked against ListQuery's rules before this runs.
        let query = try req.query.decode(ListQuery.self)
        let limit = query.limit ?? 20
        let page = query.page ?? 1
        let (users, total) = try await Database.users.list(limit: limit, page: page)
        res.setHeader("Cache-Control", "max-age=60")
        res.json(UserPage(users: users, page: page, limit: limit, total: total))
    }

    /// `POST /api/users` with `{name, email}`: 201 with the new user, 400 naming a missing or
    /// invalid field, 409 when the email is taken. With `EMAIL_API_URL` set, a welcome email goes
    /// out after the 201: the client does not wait for it.
    static func POST(_ req: Request, _ res: Response) async throws {
        let input = try UserInput(req, requireAll: true)
        do {
            let user = try await Database.users.create(name: input.name!, email: input.email!)
            res.status(201).location("/api/users/\(user.id)").json(user)
            if WelcomeEmail.configuration != nil {
                let log = req.log
                res.after {
                    try await WelcomeEmail.send(to: user)
                    log.info("sent the welcome email to user \(user.id)")
                }
            }
        } catch UserStoreError.duplicateEmail {
            throw fail(409, ["error": "A user with this email already exists", "field": "email"])
        }
    }
}

/// The list's query: `?limit=20&page=1`, both optional.
struct ListQuery: Decodable, Validatable {
    var limit: Int?
    var page: Int?

    static func validations(_ rules: inout Validations) {
        rules.add("limit", as: Int.self, is: .range(1...100), required: false)
        rules.add("page", as: Int.self, is: .range(1...1_000_000), required: false)
    }
}

/// One page of the list.
struct UserPage: Codable {
    var users: [User]
    var page: Int
    var limit: Int
    var total: Int
}
