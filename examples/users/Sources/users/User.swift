import GRDB

/// A row of the users table, as the API shows it.
struct User: Codable, Sendable, FetchableRecord, TableRecord {
    var id: Int64
    var name: String
    var email: String
    var createdAt: String
}
