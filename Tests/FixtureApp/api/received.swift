import Nozzle

/// A user as the benchmarks send it.
struct SentUser: Codable {
    var name: String
    var email: String
    var tags: [String]
    var bio: String
}

/// `POST /api/received` with a user: decoded into a `Codable` struct and answered 201
/// `{"received": user}`, as the benchmarks' Hummingbird and Vapor peers do with theirs.
enum Received: APIRoute {
    static func POST(_ req: Request, _ res: Response) throws {
        let user = try req.body.decode(SentUser.self)
        res.status(201).json(["received": user])
    }
}
