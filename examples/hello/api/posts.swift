import Nozzle

/// A post, with the rules of the app-builder seed's "Validate All Input", which zod writes
/// `z.object({ title: z.string().min(1).max(200), content: z.string().min(1) })`, and an optional
/// slug for its URL, zod's `z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).optional()`.
struct NewPost: Codable, Validatable {
    var title: String
    var content: String
    var slug: String?

    static func validations(_ rules: inout Validations) {
        rules.add("title", as: String.self, is: .count(1...200))
        rules.add("content", as: String.self, is: .count(1...))
        rules.add("slug", as: String.self, is: .count(...100) && .pattern("^[a-z0-9]+(?:-[a-z0-9]+)*$"), required: false)
    }
}

/// `POST /api/posts` with `{title, content}`: 201 with the post, or 400 listing every rule the body
/// breaks, each with its field, code and message.
enum Posts: APIRoute {
    static let config = RouteConfig(schemas: [.POST: OperationSchema(request: NewPost.self, response: NewPost.self, status: 201)])

    static func POST(_ req: Request, _ res: Response) throws {
        let post = try req.body.decode(NewPost.self)
        res.status(201).json(post)
    }
}
