/// A user, as the API shows it and both stores keep it.
struct User: Codable, Sendable, Equatable {
    var id: Int64
    var name: String
    var email: String
    var createdAt: String
}
