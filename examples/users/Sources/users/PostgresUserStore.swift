import PostgresNIO

/// The users table in PostgreSQL: what several app machines share.
///
/// The same columns as in SQLite, named as PostgreSQL names them (`created_at`); the email is unique
/// whatever its case through a unique index on `lower(email)`, so two machines racing to create one
/// email get one row, one 201 and one 409.
struct PostgresUserStore: UserStore {
    let database: PostgresDatabase

    private typealias Row = (Int64, String, String, String)

    func list(limit: Int, page: Int) async throws -> (users: [User], total: Int) {
        let logger = database.queryLogger
        let page: PostgresQuery = "SELECT id, name, email, created_at FROM users ORDER BY id LIMIT \(limit) OFFSET \((page - 1) * limit)"
        return try await database.run("SELECT users", sql: page.sql + "; SELECT count(*) FROM users") { client in
            try await client.withConnection { connection in
                let rows = try await connection.query(page, logger: logger)
                var users: [User] = []
                for try await row in rows.decode(Row.self) { users.append(User(row)) }
                var total = 0
                for try await count in try await connection.query("SELECT count(*) FROM users", logger: logger).decode(Int.self) { total = count }
                return (users, total)
            }
        }
    }

    func find(id: Int64) async throws -> User? {
        try await one("SELECT users", "SELECT id, name, email, created_at FROM users WHERE id = \(id)")
    }

    func create(name: String, email: String) async throws -> User {
        try await one("INSERT users", "INSERT INTO users (name, email) VALUES (\(name), \(email)) RETURNING id, name, email, created_at")!
    }

    func update(id: Int64, name: String?, email: String?) async throws -> User? {
        try await one("UPDATE users", """
            UPDATE users SET name = coalesce(\(name), name), email = coalesce(\(email), email) WHERE id = \(id)
            RETURNING id, name, email, created_at
            """)
    }

    func delete(id: Int64) async throws -> Bool {
        let logger = database.queryLogger
        let statement: PostgresQuery = "DELETE FROM users WHERE id = \(id) RETURNING id"
        return try await database.run("DELETE users", sql: statement.sql) { client in
            var deleted = false
            for try await _ in try await client.query(statement, logger: logger) { deleted = true }
            return deleted
        }
    }

    /// The user a statement returns, if any; a unique violation is ``UserStoreError/duplicateEmail``.
    /// `summary` names its span: the operation and the table.
    private func one(_ summary: String, _ query: PostgresQuery) async throws -> User? {
        let logger = database.queryLogger
        return try await database.run(summary, sql: query.sql) { client in
            do {
                var user: User?
                for try await row in try await client.query(query, logger: logger).decode(Row.self) { user = User(row) }
                return user
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                throw UserStoreError.duplicateEmail
            }
        }
    }
}

extension User {
    fileprivate init(_ row: (Int64, String, String, String)) {
        self.init(id: row.0, name: row.1, email: row.2, createdAt: row.3)
    }
}
