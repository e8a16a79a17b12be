import Nozzle

/// `/api/users/[id]`: one user. Reading is open to all; `DELETE` needs the bearer token.
enum UserByID: APIRoute {
    static let config = RouteConfig(
        middleware: [RequireBearerToken(methods: ["DELETE"])],
        params: UserPath.self,
        schemas: [
            "GET": OperationSchema(response: User.self),
            "POST": OperationSchema(request: UserFields.self, response: User.self).answering(409, duplicate),
            "PUT": OperationSchema(request: UserFields.self, response: User.self).answering(409, duplicate),
            "PATCH": OperationSchema(request: UserChanges.self, response: User.self).answering(409, duplicate),
            // Its 401 is RequireBearerToken's to document (`documentedAnswers(for:)`).
            "DELETE": OperationSchema(status: 204),
        ])

    private static let duplicate = "Another user has this email"

    /// `GET /api/users/42`: 200 with the user, or 404 `{"error":"User not found"}`.
    static func GET(_ req: Request, _ res: Response) async throws {
        guard let user = try await Database.users.find(id: id(req)) else { throw notFound }
        res.json(user)
    }

    /// `POST /api/users/42` with `{name, email}`: replaces both fields, 200 with the updated user.
    static func POST(_ req: Request, _ res: Response) async throws {
        try await update(req, res, requireAll: true)
    }

    /// `PUT` does the same as `POST`, as the Luat seed's `PUT = POST`.
    static let PUT: Handler = POST

    /// `PATCH /api/users/42` with either field: changes only what is sent.
    static func PATCH(_ req: Request, _ res: Response) async throws {
        try await update(req, res, requireAll: false)
    }

    /// `DELETE /api/users/42` with `Authorization: Bearer $USERS_TOKEN`: 204 with no body.
    static func DELETE(_ req: Request, _ res: Response) async throws {
        guard try await Database.users.delete(id: id(req)) else { throw notFound }
        res.status(204).end()
    }

    private static let notFound = HTTPError(404, "User not found")

    /// The id in the URL: a positive whole number, as `UserPath` has Nozzle check before any handler.
    private static func id(_ req: Request) throws -> Int64 {
        guard let id = Int64(params(req).id) else { throw notFound }
        return id
    }

    private static func update(_ req: Request, _ res: Response, requireAll: Bool) async throws {
        let id = try id(req)
        let input = try UserInput(req, requireAll: requireAll)
        do {
            guard let user = try await Database.users.update(id: id, name: input.name, email: input.email) else { throw notFound }
            res.json(user)
        } catch UserStoreError.duplicateEmail {
            throw fail(409, ["error": "A user with this email already exists", "field": "email"])
        }
    }
}

/// The path's parameter: a user's id is a positive whole number; anything else is a 400 naming `id`.
struct UserPath: Decodable, Validatable {
    var id: Int

    static func validations(_ rules: inout Validations) {
        rules.add("id", as: Int.self, is: .range(1...))
    }
}
