import Foundation
import Synchronization

/// The app's database, chosen and opened at start from the environment, which the command line's
/// options set (so that the worker processes of `--processes` read the same):
///
/// - `DATABASE_URL` (`--database-url`): PostgreSQL, shared by every app machine.
/// - otherwise `USERS_DATABASE` (`--database`): a SQLite file, `users.sqlite` unless set.
/// - `USERS_DATABASE_TIMEOUT` (`--database-timeout`): seconds a query may take before the request
///   gets 503, 2 unless set.
enum Database {
    static let urlVariable = "DATABASE_URL"
    static let pathVariable = "USERS_DATABASE"
    static let timeoutVariable = "USERS_DATABASE_TIMEOUT"
    static let defaultPath = "users.sqlite"

    private static let opened = Mutex<(users: any UserStore, postgres: PostgresDatabase?)?>(nil)

    /// The store every route uses.
    static var users: any UserStore {
        guard let store = opened.withLock({ $0?.users }) else { preconditionFailure("Database.open() runs at start-up, before any request") }
        return store
    }

    /// The PostgreSQL database, when the app uses one.
    static var postgres: PostgresDatabase? { opened.withLock { $0?.postgres } }

    /// Whether the environment names a PostgreSQL database.
    static var usesPostgres: Bool { !(ProcessInfo.processInfo.environment[urlVariable] ?? "").isEmpty }

    /// Opens the database the environment names, creating or migrating its schema.
    static func open() async throws {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment[urlVariable], !text.isEmpty {
            let url: DatabaseURL
            do {
                url = try DatabaseURL(text)
            } catch {
                throw CannotOpenDatabase(name: "\(urlVariable)", reason: "\(error)")
            }
            let timeout = try self.timeout(environment)
            let postgres = try await PostgresDatabase.open(url: url, timeout: timeout)
            opened.withLock { $0 = (PostgresUserStore(database: postgres), postgres) }
        } else {
            let path = environment[pathVariable] ?? defaultPath
            do {
                let store = try SQLiteUserStore(path: path)
                opened.withLock { $0 = (store, nil) }
            } catch {
                throw CannotOpenDatabase(name: path, reason: "\(error)")
            }
        }
    }

    private static func timeout(_ environment: [String: String]) throws -> Duration {
        guard let text = environment[timeoutVariable] else { return .seconds(2) }
        guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
            throw CannotOpenDatabase(name: "\(timeoutVariable)", reason: "\(text) is not a number of seconds from 0 to 3600")
        }
        return .milliseconds(Int(seconds * 1000))
    }
}
