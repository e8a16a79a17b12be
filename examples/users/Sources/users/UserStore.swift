import Foundation
import GRDB
import Synchronization

/// The users table in SQLite, through GRDB.
///
/// Opened once per process from `USERS_DATABASE` (`users.sqlite` in the working directory unless
/// set), in WAL mode so that several worker processes can share it. The schema is created on first
/// start by a migration.
final class UserStore: Sendable {
    static let pathVariable = "USERS_DATABASE"
    static let defaultPath = "users.sqlite"

    /// The store every route uses, opened by ``open()`` at start-up.
    static var shared: UserStore {
        guard let store = opened.withLock({ $0 }) else { preconditionFailure("UserStore.open() runs at start-up, before any request") }
        return store
    }

    private static let opened = Mutex<UserStore?>(nil)

    /// Opens the database named by `USERS_DATABASE` (or `users.sqlite`), creating its schema.
    static func open() throws {
        let path = ProcessInfo.processInfo.environment[pathVariable] ?? defaultPath
        do {
            let store = try UserStore(path: path)
            opened.withLock { $0 = store }
        } catch {
            throw CannotOpenDatabase(path: path, reason: "\(error)")
        }
    }

    private let pool: DatabasePool

    init(path: String) throws {
        var configuration = Configuration()
        // Another process may hold the write lock for a moment; wait for it rather than fail.
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("create users") { db in
            try db.create(table: "user") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("name", .text).notNull()
                table.column("email", .text).notNull().unique().collate(.nocase)
                table.column("createdAt", .text).notNull().defaults(sql: "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))")
            }
        }
        return migrator
    }

    /// One page of users, oldest first, and how many there are in all.
    func list(limit: Int, page: Int) throws -> (users: [User], total: Int) {
        try pool.read { db in
            let users = try User.order(Column("id")).limit(limit, offset: (page - 1) * limit).fetchAll(db)
            return (users, try User.fetchCount(db))
        }
    }

    func find(id: Int64) throws -> User? {
        try pool.read { db in try User.fetchOne(db, key: id) }
    }

    /// Inserts a user; throws ``UserStoreError/duplicateEmail`` when the email is taken.
    func create(name: String, email: String) throws -> User {
        try translatingConstraintErrors {
            try pool.write { db in
                try User.fetchOne(db, sql: "INSERT INTO user (name, email) VALUES (?, ?) RETURNING *", arguments: [name, email])!
            }
        }
    }

    /// Sets the given fields; nil when there is no such user.
    func update(id: Int64, name: String?, email: String?) throws -> User? {
        try translatingConstraintErrors {
            try pool.write { db in
                try User.fetchOne(db, sql: """
                    UPDATE user SET name = coalesce(?, name), email = coalesce(?, email) WHERE id = ? RETURNING *
                    """, arguments: [name, email, id])
            }
        }
    }

    /// Deletes a user; false when there was none.
    func delete(id: Int64) throws -> Bool {
        try pool.write { db in try User.deleteOne(db, key: id) }
    }

    private func translatingConstraintErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw UserStoreError.duplicateEmail
        }
    }
}

enum UserStoreError: Error {
    case duplicateEmail
}

/// The database file could not be opened or migrated.
struct CannotOpenDatabase: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "cannot open the database \(path): \(reason)" }
}
