import Testing
@testable import users

struct DatabaseURLTests {
    @Test func readsTheURLsLibpqReads() throws {
        let plain = try DatabaseURL("postgres://app:s%40cret@db.internal:6543/users?sslmode=require")
        #expect(plain.endpoint == .tcp(host: "db.internal", port: 6543))
        #expect(plain.username == "app")
        #expect(plain.password == "s@cret")
        #expect(plain.database == "users")
        #expect(plain.tls == .require)
        #expect(plain.description == "postgres://app:***@db.internal:6543/users")

        let defaults = try DatabaseURL("postgresql://postgres@10.0.0.4")
        #expect(defaults.endpoint == .tcp(host: "10.0.0.4", port: 5432))
        #expect(defaults.database == "postgres")
        #expect(defaults.password == nil)
        #expect(defaults.tls == .prefer)
        #expect(defaults.maxConnections == 8)
        #expect(defaults.minConnections == 8)

        let ipv6 = try DatabaseURL("postgres://u@[::1]:5433/d?sslmode=disable")
        #expect(ipv6.endpoint == .tcp(host: "::1", port: 5433))
        #expect(ipv6.description == "postgres://u@[::1]:5433/d")

        let socket = try DatabaseURL("postgres://app@/users?host=/run/postgresql")
        #expect(socket.endpoint == .unixSocket(path: "/run/postgresql/.s.PGSQL.5432"))
    }

    /// libpq's query parameters override what comes before them.
    @Test(arguments: [
        ("postgres://app@/users?host=/run/postgresql&port=5433", DatabaseURL.Endpoint.unixSocket(path: "/run/postgresql/.s.PGSQL.5433")),
        ("postgres://app@localhost:5432/users?host=/tmp/pg&port=6000", .unixSocket(path: "/tmp/pg/.s.PGSQL.6000")),
        ("postgres://app@ignored:1111/users?host=db.internal", .tcp(host: "db.internal", port: 1111)),
        ("postgres://app@db.internal/users?port=6543", .tcp(host: "db.internal", port: 6543)),
        ("postgres://app@/users?host=%2Fvar%2Frun%2Fpostgresql", .unixSocket(path: "/var/run/postgresql/.s.PGSQL.5432")),
    ])
    func queryParametersOverrideTheURL(text: String, endpoint: DatabaseURL.Endpoint) throws {
        #expect(try DatabaseURL(text).endpoint == endpoint)
    }

    @Test func userPasswordAndDatabaseFromTheQuery() throws {
        let url = try DatabaseURL("postgresql:///?host=/run/postgresql&user=app&password=s%40cret&dbname=users")
        #expect(url.username == "app")
        #expect(url.password == "s@cret")
        #expect(url.database == "users")
        #expect(url.description == "postgres://app:***@/users?host=/run/postgresql/.s.PGSQL.5432")
    }

    /// The pool's size, as pgx reads it: the minimum is the maximum unless given.
    @Test func poolSizeFromTheQuery() throws {
        let larger = try DatabaseURL("postgres://app@db/users?pool_max_conns=20")
        #expect(larger.maxConnections == 20)
        #expect(larger.minConnections == 20)
        let elastic = try DatabaseURL("postgres://app@db/users?pool_max_conns=20&pool_min_conns=2")
        #expect(elastic.maxConnections == 20)
        #expect(elastic.minConnections == 2)
        #expect(try DatabaseURL("postgres://app@db/users?pool_min_conns=0").minConnections == 0)
    }

    @Test func explainsWhatIsWrongWithoutShowingThePassword() {
        let cases: [(String, String)] = [
            ("db.internal", "not a URL"),
            ("mysql://root@db/app", "the scheme is mysql://"),
            ("postgres://db.internal/app", "no user name"),
            ("postgres://app@/users", "no host"),
            ("postgres://app:pw@db/app?sslmode=verify-full", "sslmode=verify-full is not supported"),
            ("postgres://app:pw@db/app?application_name=x", "unknown parameter application_name"),
            ("postgres://app:pw@db:0/app", "port 0 is out of range"),
            ("postgres://app:pw@db/app?port=abc", "port abc is not a number"),
            ("postgres://app:pw@db/app?port=70000", "port 70000 is out of range"),
            ("postgres://app:pw@db/app?pool_max_conns=0", "pool_max_conns=0 is not a number from 1 to 1000"),
            ("postgres://app:pw@db/app?pool_max_conns=many", "pool_max_conns=many is not a number from 1 to 1000"),
            ("postgres://app:pw@db/app?pool_max_conns=4&pool_min_conns=5", "pool_min_conns=5 is not a number from 0 to 4"),
            ("postgres://app:pw@db/app?pool_min_conns=-1", "pool_min_conns=-1 is not a number from 0 to 8"),
        ]
        for (text, message) in cases {
            do {
                _ = try DatabaseURL(text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.description.contains(message), "\(text): \(error)")
                #expect(!error.description.contains("pw"), "\(text): \(error)")
            }
        }
    }
}
