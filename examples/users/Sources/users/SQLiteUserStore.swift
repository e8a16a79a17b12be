import GRDB

/// The users table in a SQLite file, through GRDB: the default, which needs no server.
///
/// A `DatabasePool` in WAL mode, so that the worker processes of `--processes N` share the file, with
/// a busy timeout for the moment another process holds the write lock. Reads and writes are awaited:
/// GRDB runs them on its own threads, and the request holds none of the host's meanwhile.
final class SQLiteUserStore: UserStore {
    private let pool: DatabasePool

    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        for migration in Schema.migrations {
            migrator.registerMigration(migration.name) { db in
                for statement in migration.sqlite { try db.execute(sql: statement) }
            }
        }
        try migrator.migrate(pool)
    }

    func list(limit: Int, page: Int) async throws -> (users: [User], total: Int) {
        try await pool.read { db in
            let users = try User.fetchAll(db, sql: "SELECT * FROM user ORDER BY id LIMIT ? OFFSET ?", arguments: [limit, (page - 1) * limit])
            return (users, try Int.fetchOne(db, sql: "SELECT count(*) FROM user") ?? 0)
        }
    }

    func find(id: Int64) async throws -> User? {
        try await pool.read { db in try User.fetchOne(db, sql: "SELECT * FROM user WHERE id = ?", arguments: [id]) }
    }

    func create(name: String, email: String) async throws -> User {
        try await translatingConstraintErrors {
            try await pool.write { db in
                try User.fetchOne(db, sql: "INSERT INTO user (name, email) VALUES (?, ?) RETURNING *", arguments: [name, email])!
            }
        }
    }

    func update(id: Int64, name: String?, email: String?) async throws -> User? {
        try await translatingConstraintErrors {
            try await pool.write { db in
                try User.fetchOne(db, sql: """
                    UPDATE user SET name = coalesce(?, name), email = coalesce(?, email) WHERE id = ? RETURNING *
                    """, arguments: [name, email, id])
            }
        }
    }

    func delete(id: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM user WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    private func translatingConstraintErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw UserStoreError.duplicateEmail
        }
    }
}

extension User: FetchableRecord {}
