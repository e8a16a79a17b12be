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
        try await one("SELECT users", FindUser(id: id))
    }

    func create(name: String, email: String) async throws -> User {
        try await one("INSERT users", CreateUser(name: name, email: email))!
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
            try await Self.mappingDuplicates {
                var user: User?
                for try await row in try await client.query(query, logger: logger).decode(Row.self) { user = User(row) }
                return user
            }
        }
    }

    /// The same, for a prepared statement: each pooled connection parses and plans it once, at its
    /// first use, and afterwards sends only the values, as pgx's statement cache does.
    private func one<Statement: PostgresPreparedStatement>(_ summary: String, _ statement: Statement) async throws -> User?
    where Statement.Row == Row {
        let logger = database.queryLogger
        return try await database.run(summary, sql: Statement.sql) { client in
            try await Self.mappingDuplicates {
                var user: User?
                for try await row in try await client.execute(statement, logger: logger) { user = User(row) }
                return user
            }
        }
    }

    private static func mappingDuplicates(_ body: () async throws -> User?) async throws -> User? {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw UserStoreError.duplicateEmail
        }
    }
}

/// The two statements every request of the seeds' everyday routes runs, prepared.
private struct FindUser: PostgresPreparedStatement {
    static let name = "users.find"
    static let sql = "SELECT id, name, email, created_at FROM users WHERE id = $1"
    typealias Row = (Int64, String, String, String)
    let id: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

private struct CreateUser: PostgresPreparedStatement {
    static let name = "users.create"
    static let sql = "INSERT INTO users (name, email) VALUES ($1, $2) RETURNING id, name, email, created_at"
    typealias Row = (Int64, String, String, String)
    let name: String
    let email: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(name)
        bindings.append(email)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

extension User {
    fileprivate init(_ row: (Int64, String, String, String)) {
        self.init(id: row.0, name: row.1, email: row.2, createdAt: row.3)
    }
}
