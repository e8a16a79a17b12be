/// Where the users live: SQLite in a file (``SQLiteUserStore``), or PostgreSQL that several app
/// machines share (``PostgresUserStore``). The routes see only this; both answer the same.
protocol UserStore: Sendable {
    /// One page of users, oldest first, and how many there are in all.
    func list(limit: Int, page: Int) async throws -> (users: [User], total: Int)
    func find(id: Int64) async throws -> User?
    /// Inserts a user; throws ``UserStoreError/duplicateEmail`` when the email is taken, whatever its case.
    func create(name: String, email: String) async throws -> User
    /// Sets the given fields; nil when there is no such user.
    func update(id: Int64, name: String?, email: String?) async throws -> User?
    /// Deletes a user; false when there was none.
    func delete(id: Int64) async throws -> Bool
}

enum UserStoreError: Error {
    case duplicateEmail
}

/// The database cannot be reached now (it is restarting, or its host is cut off): the client gets
/// 503 with `Retry-After`, at once rather than when its request times out.
struct DatabaseUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { "database unavailable: \(reason)" }
}

/// The database could not be opened, reached or migrated at start.
struct CannotOpenDatabase: Error, CustomStringConvertible {
    var name: String
    var reason: String
    var description: String { "cannot open the database \(name): \(reason)" }
}
