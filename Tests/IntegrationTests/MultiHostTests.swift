import Foundation
import Nozzle
import Testing

/// Past one machine: nginx on one host, the users example on two app hosts over TCP, PostgreSQL on a
/// fourth, each a network namespace joined to the others by a switch (``VirtualNetwork``). nginx
/// uses the shipped `nginx/app-hosts.conf`. Under load from the nginx host, one app host is cut off
/// and comes back, and the database host restarts.
@Suite(.serialized, .enabled(if: VirtualNetwork.unavailableReason == nil, Comment(rawValue: "skipped: \(VirtualNetwork.unavailableReason ?? "")")))
struct MultiHostTests {
    /// The app's timeout, which the shipped nginx file's read timeout is a little above.
    static let requestTimeout = 5.0

    /// The four hosts and what runs on them.
    final class Hosts: @unchecked Sendable {
        let network: VirtualNetwork
        let front: NetworkNamespace
        let appHosts: [NetworkNamespace]
        let databaseHost: NetworkNamespace
        let directory: URL
        let postgres: PostgresServer
        var apps: [RunningProcess?]
        var nginx: RunningProcess?

        init() throws {
            network = try VirtualNetwork()
            front = try network.addHost("nginx")
            appHosts = [try network.addHost("app1"), try network.addHost("app2")]
            databaseHost = try network.addHost("db")
            try network.fixNeighbours()
            directory = Paths.temporaryDirectory()
            postgres = try PostgresServer(host: databaseHost.address, port: 5432, namespace: databaseHost, in: directory.appending(path: "db"))
            apps = [nil, nil]
        }

        deinit {
            nginx?.signal(SIGQUIT)
            _ = nginx?.waitForExit(timeout: 5)
            for app in apps { app?.signal(SIGKILL) }
            postgres.stop()
        }

        var databaseURL: String { postgres.url() }

        /// Starts the users example on app host `index`, listening on its own address and letting only
        /// the nginx host in.
        func startApp(_ index: Int, environment: [String: String] = [:]) throws {
            let host = appHosts[index]
            let workingDirectory = directory.appending(path: "app\(index + 1)")
            try FileManager.default.createDirectory(at: workingDirectory, withIntermediateDirectories: true)
            let variables = ["DATABASE_URL": databaseURL, "USERS_TOKEN": "multi-host"].merging(environment) { $1 }
            let app = try RunningProcess("/usr/bin/env", host.prefix + ["env"] + variables.map { "\($0.key)=\($0.value)" } + [
                try ExampleBuild.binary("users"), "--listen", "\(host.address):9000", "--allow", front.address,
                "--request-timeout", String(MultiHostTests.requestTimeout), "--database-timeout", "2",
            ], in: workingDirectory)
            apps[index] = app
            guard eventually(timeout: 30, { app.stderr.contains("serving FastCGI on") || app.waitForExit(timeout: 0) != nil }),
                app.stderr.contains("serving FastCGI on")
            else { throw SetupError(what: "app \(index + 1) did not start: \(app.stderr)") }
        }

        func stopApp(_ index: Int) {
            apps[index]?.signal(SIGTERM)
            _ = apps[index]?.waitForExit(timeout: 10)
            apps[index] = nil
        }

        /// nginx on the front host: the shipped upstream over both app hosts on port 8080, and, for
        /// writing through one host and reading through the other, one port per host (8081, 8082).
        func startNginx() throws {
            let prefix = directory.appending(path: "nginx")
            try FileManager.default.createDirectory(at: prefix.appending(path: "logs"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "/etc/nginx/fastcgi_params", toPath: prefix.appending(path: "fastcgi_params").path)
            var shipped = try String(contentsOf: Paths.root.appending(path: "nginx/app-hosts.conf"), encoding: .utf8)
            for (from, to) in [
                ("server 10.0.0.2:9000", "server \(appHosts[0].address):9000"), ("server 10.0.0.3:9000", "server \(appHosts[1].address):9000"),
                ("listen 8080;", "listen \(front.address):8080;"),
            ] {
                #expect(shipped.contains(from), "nginx/app-hosts.conf no longer has \(from)")
                shipped = shipped.replacingOccurrences(of: from, with: to)
            }
            try shipped.write(to: prefix.appending(path: "app-hosts.conf"), atomically: true, encoding: .utf8)
            let perHost = appHosts.enumerated().map { index, host in
                """
                server {
                    listen \(front.address):\(8081 + index);
                    location /api/ { include fastcgi_params; fastcgi_pass \(host.address):9000; fastcgi_read_timeout 7s; }
                }
                """
            }.joined(separator: "\n")
            let config = """
                worker_processes 1;
                pid \(prefix.path)/nginx.pid;
                error_log \(prefix.path)/logs/error.log info;
                events { worker_connections 4096; }
                http {
                    log_format hosts '$msec $request_method $status "$upstream_addr" "$upstream_status" $request_time';
                    access_log \(prefix.path)/logs/access.log hosts;
                    client_body_temp_path \(prefix.path)/body;
                    fastcgi_temp_path \(prefix.path)/fastcgi;
                    proxy_temp_path \(prefix.path)/proxy;
                    uwsgi_temp_path \(prefix.path)/uwsgi;
                    scgi_temp_path \(prefix.path)/scgi;
                    include \(prefix.path)/app-hosts.conf;
                \(perHost)
                }
                """
            try config.write(to: prefix.appending(path: "nginx.conf"), atomically: true, encoding: .utf8)
            nginx = try RunningProcess("/usr/bin/env", front.prefix + [
                "nginx", "-p", prefix.path, "-c", prefix.appending(path: "nginx.conf").path, "-e", prefix.appending(path: "logs/error.log").path,
                "-g", "daemon off;",
            ], in: prefix)
            guard eventually({ (try? self.request("GET", 8080, "/api/users"))?.status == 200 }) else {
                throw SetupError(what: "nginx did not start: \(nginx?.stderr ?? "") \(accessLog)")
            }
        }

        var accessLog: String {
            (try? String(contentsOf: directory.appending(path: "nginx/logs/access.log"), encoding: .utf8)) ?? ""
        }

        /// A request from the nginx host to nginx's `port`.
        func request(_ method: String, _ port: Int, _ path: String, json: String? = nil, headers: [String] = []) throws -> HTTPResult {
            try HTTP.request(
                method, "http://\(front.address):\(port)\(path)", headers: headers + (json == nil ? [] : ["Content-Type: application/json"]),
                body: json, from: front, in: directory)
        }

        /// Serial requests from the nginx host at `rate` per second, one line each: status, the
        /// request's number, seconds taken. Each request is given 15 seconds.
        func serialRequests(_ requests: [(method: String, url: String, json: String?)], rate: Int, bodies: URL? = nil) throws -> RunningProcess {
            let config = directory.appending(path: "requests-\(UUID().uuidString.prefix(6))")
            let blocks = requests.enumerated().map { number, request in
                var lines = [
                    "url = \"\(request.url)\"", "request = \"\(request.method)\"", "max-time = 15",
                    "output = \"\(bodies.map { $0.appending(path: "body-\(number)").path } ?? "/dev/null")\"",
                    "write-out = \"%{http_code} \(number) %{time_total}\\\\n\"",
                ]
                if let json = request.json {
                    lines += ["header = \"Content-Type: application/json\"", "data-binary = \"\(json.replacingOccurrences(of: "\"", with: "\\\""))\""]
                }
                return lines.joined(separator: "\n")
            }.joined(separator: "\nnext\n")
            try blocks.write(to: config, atomically: true, encoding: .utf8)
            return try RunningProcess("/usr/bin/env", front.prefix + ["curl", "-s", "--http1.1", "--rate", "\(rate)/s", "--config", config.path], in: directory)
        }
    }

    /// One line of ``Hosts/serialRequests(_:rate:bodies:)``.
    struct Outcome {
        var status: Int
        var number: Int
        var seconds: Double

        static func parse(_ output: String) -> [Outcome] {
            output.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ")
                guard fields.count == 3, let status = Int(fields[0]), let number = Int(fields[1]), let seconds = Double(fields[2]) else { return nil }
                return Outcome(status: status, number: number, seconds: seconds)
            }
        }
    }

    /// One line of nginx's access log: when it ended, its status, and the hosts nginx tried.
    struct Logged {
        var ended: Double
        var method: String
        var status: Int
        var upstreams: [String]
        var upstreamStatuses: [String]
        var seconds: Double
        var started: Double { ended - seconds }

        static func parse(_ log: String) -> [Logged] {
            log.split(separator: "\n").compactMap { line in
                let quoted = line.split(separator: "\"")
                let head = line.split(separator: " ")
                guard quoted.count >= 4, head.count >= 3, let ended = Double(head[0]), let status = Int(head[2]),
                    let seconds = Double(quoted.last!.trimmingCharacters(in: .whitespaces))
                else { return nil }
                let list = { (text: Substring) in text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                return Logged(ended: ended, method: String(head[1]), status: status, upstreams: list(quoted[1]), upstreamStatuses: list(quoted[3]), seconds: seconds)
            }
        }
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    @Test func appHostsShareTheDatabaseSurviveACutHostAndADatabaseRestart() throws {
        let hosts = try Hosts()
        try hosts.startApp(0)
        try hosts.startApp(1)
        try hosts.startNginx()
        var figures: [String] = []

        // --allow: a connection from any host but nginx's is closed unanswered, and logged.
        let probe = try hosts.network.run(on: hosts.databaseHost, [
            "bash", "-c", "exec 3<>/dev/tcp/\(hosts.appHosts[0].address)/9000 && timeout 5 cat <&3 | wc -c",
        ])
        #expect(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(probe)")
        #expect(eventually { hosts.apps[0]?.stderr.contains("refused a connection from \(hosts.databaseHost.address)") == true })

        // Written through one host, read through the other, both ways.
        let created = try hosts.request("POST", 8081, "/api/users", json: #"{"name":"Ada","email":"ada@example.com"}"#)
        #expect(created.status == 201, "\(created.body)")
        let id = try #require(created.json?["id"]?.intValue)
        let readElsewhere = try hosts.request("GET", 8082, "/api/users/\(id)")
        #expect(readElsewhere.status == 200)
        #expect(readElsewhere.json == created.json)
        let patched = try hosts.request("PATCH", 8082, "/api/users/\(id)", json: #"{"name":"Ada Lovelace"}"#)
        #expect(patched.status == 200)
        #expect(try hosts.request("GET", 8081, "/api/users/\(id)").json?["name"] == "Ada Lovelace")

        // Two hosts racing to create one email: one 201 and one 409, every time, and one row.
        for round in 0..<10 {
            let email = "race-\(round)@example.com"
            let racers = try (0..<2).map { index in
                try hosts.serialRequests([("POST", "http://\(hosts.front.address):\(8081 + index)/api/users", #"{"name":"Racer","email":"\#(email.uppercased())"}"#)], rate: 1000)
            }
            let statuses = racers.flatMap { racer -> [Int] in
                _ = racer.waitForExit(timeout: 20)
                return Outcome.parse(racer.stdout).map(\.status)
            }
            #expect(statuses.sorted() == [201, 409], "round \(round): \(statuses)")
        }
        #expect(try hosts.postgres.query("SELECT count(*) FROM users WHERE lower(email) LIKE 'race-%'") == "10")

        // Under load, app host 1 is cut off (its link down, then its process killed), then comes back.
        let getLoad = try Load(
            url: "http://\(hosts.front.address):8080/api/users/\(id)", connections: 8, seconds: 24, timeout: 15, from: hosts.front, in: hosts.directory)
        let posts = (0..<500).map { number in
            ("POST", "http://\(hosts.front.address):8080/api/users", #"{"name":"Load \#(number)","email":"load-\#(number)@example.com"}"#)
        }
        let postLoad = try hosts.serialRequests(posts, rate: 25)
        Thread.sleep(forTimeInterval: 3)
        let cutAt = Self.now()
        try hosts.network.cut(hosts.appHosts[0])
        Thread.sleep(forTimeInterval: 1)
        hosts.apps[0]?.signal(SIGKILL)
        _ = hosts.apps[0]?.waitForExit(timeout: 5)
        Thread.sleep(forTimeInterval: 5)
        try hosts.network.reconnect(hosts.appHosts[0])
        let restarting = Self.now()
        try hosts.startApp(0)
        let backAt = Self.now()
        let startedIn = backAt - restarting
        let gets = getLoad.finish()
        _ = postLoad.waitForExit(timeout: 60)
        let postOutcomes = Outcome.parse(postLoad.stdout)

        #expect(gets.requests > 500, "\(gets.output)")
        #expect(gets.failed == 0, "GETs failed while a host was cut off: \(gets.output)")
        #expect(postOutcomes.count == posts.count, "\(postLoad.stderr)")
        let succeeded = Set(postOutcomes.filter { $0.status == 201 }.map(\.number))
        let stored = try hosts.postgres.query("SELECT email FROM users WHERE email LIKE 'load-%'").split(separator: "\n").map(String.init)
        let storedNumbers = stored.compactMap { Int($0.dropFirst("load-".count).prefix { $0.isNumber }) }
        #expect(stored.count == Set(stored).count, "a POST was applied twice")
        #expect(succeeded.isSubset(of: Set(storedNumbers)), "POSTs answered 201 but missing: \(succeeded.subtracting(storedNumbers).sorted())")
        #expect(!postOutcomes.contains { $0.status == 409 }, "a POST was sent twice: its second copy found its own email taken")
        #expect(succeeded.count > posts.count * 8 / 10, "\(Dictionary(grouping: postOutcomes, by: \.status).mapValues(\.count))")

        // nginx notices the cut host when a request to it times out, leaves it alone for
        // fail_timeout, tries it again, and uses it again once it answers.
        let app1 = "\(hosts.appHosts[0].address):9000"
        var servedAgain: Double?
        let deadline = Date().addingTimeInterval(30)
        while servedAgain == nil, Date() < deadline {
            _ = try? hosts.request("GET", 8080, "/api/users/\(id)")
            servedAgain = Logged.parse(hosts.accessLog).filter { $0.started > backAt && $0.upstreams.last == app1 && $0.upstreamStatuses.last == "200" }.map(\.ended).min()
        }
        #expect(servedAgain != nil, "nginx never used the host again after it came back")
        let logged = Logged.parse(hosts.accessLog)
        let triedWhileDown = logged.filter { $0.started > cutAt && $0.started < backAt && $0.upstreams.first == app1 }
        let noticed = (logged.filter { $0.started > cutAt && $0.upstreams.first == app1 && $0.upstreams.count > 1 }.map(\.ended).min() ?? cutAt) - cutAt
        let failedPosts = Dictionary(grouping: postOutcomes.filter { $0.status != 201 }, by: \.status).mapValues(\.count)
        figures.append("cut host: \(gets.requests) GETs, \(gets.failed) failed; \(posts.count) POSTs, \(succeeded.count) answered 201, failed by status \(failedPosts.sorted { $0.key < $1.key }), \(Set(storedNumbers).subtracting(succeeded).count) of the failed ones applied, 0 applied twice")
        figures.append("nginx moved a request off the cut host \(String(format: "%.1f", noticed)) s after the cut; \(triedWhileDown.count) requests tried it while it was down (each went on to the other host); it restarted in \(String(format: "%.1f", startedIn)) s and served again \(servedAgain.map { String(format: "%.1f", $0 - backAt) } ?? "never") s after that")

        // The database host restarts under load: 503 with a JSON error at once, never a hang, and
        // the apps recover on their own.
        let bodies = hosts.directory.appending(path: "outage-bodies")
        try FileManager.default.createDirectory(at: bodies, withIntermediateDirectories: true)
        let reads = (0..<240).map { _ in ("GET", "http://\(hosts.front.address):8080/api/users/\(id)", String?.none) }
        let readLoad = try hosts.serialRequests(reads, rate: 20, bodies: bodies)
        Thread.sleep(forTimeInterval: 2)
        let downAt = Self.now()
        try hosts.network.cut(hosts.databaseHost)
        hosts.postgres.stop()
        Thread.sleep(forTimeInterval: 3)
        try hosts.network.reconnect(hosts.databaseHost)
        try hosts.postgres.start()
        let upAt = Self.now()
        _ = readLoad.waitForExit(timeout: 60)
        let readOutcomes = Outcome.parse(readLoad.stdout)
        #expect(readOutcomes.count == reads.count, "\(readLoad.stderr)")
        #expect(readOutcomes.allSatisfy { [200, 503].contains($0.status) }, "\(Dictionary(grouping: readOutcomes, by: \.status).mapValues(\.count))")
        let unavailable = readOutcomes.filter { $0.status == 503 }
        #expect(!unavailable.isEmpty, "no request saw the database down")
        for outcome in unavailable {
            let body = (try? String(contentsOf: bodies.appending(path: "body-\(outcome.number)"), encoding: .utf8)) ?? ""
            #expect(body == #"{"error":"Database unavailable, try again shortly"}"#, "request \(outcome.number): \(body)")
        }
        let slowest = readOutcomes.map(\.seconds).max() ?? 0
        #expect(slowest < Self.requestTimeout, "a request waited \(slowest) s")
        let lastFailure = unavailable.map(\.number).max() ?? 0
        #expect(readOutcomes.filter { $0.number > lastFailure }.count >= 40, "the apps did not recover: last 503 was request \(lastFailure) of \(reads.count)")
        let afterOutage = Logged.parse(hosts.accessLog).filter { $0.started > downAt }
        let lastUnavailable = afterOutage.filter { $0.status == 503 }.map(\.ended).max() ?? upAt
        for host in hosts.appHosts {
            let recovered = afterOutage.contains { $0.started > lastUnavailable && $0.upstreams.last == "\(host.address):9000" && $0.status == 200 }
            #expect(recovered, "\(host.address) did not serve again after the database came back")
        }
        figures.append("database restart: \(readOutcomes.count) GETs, \(unavailable.count) answered 503, slowest \(String(format: "%.2f", slowest)) s; the apps answered 200 again \(String(format: "%.2f", max(0, lastUnavailable - upAt))) s after the database was back (it was down \(String(format: "%.1f", upAt - downAt)) s)")

        // A rate limit counted in the database: a client spreading its requests over both hosts is
        // limited once, not once per host.
        hosts.stopApp(0)
        hosts.stopApp(1)
        try hosts.startApp(0, environment: ["USERS_RATE_LIMIT": "20/60"])
        try hosts.startApp(1, environment: ["USERS_RATE_LIMIT": "20/60"])
        let spread = (0..<40).map { number in ("GET", "http://\(hosts.front.address):\(8081 + number % 2)/api/users/\(id)", String?.none) }
        let limited = try hosts.serialRequests(spread, rate: 100)
        _ = limited.waitForExit(timeout: 60)
        let limitedOutcomes = Outcome.parse(limited.stdout)
        #expect(limitedOutcomes.filter { $0.status == 200 }.count == 20, "\(limitedOutcomes.map(\.status))")
        #expect(limitedOutcomes.filter { $0.status == 429 }.count == 20)
        #expect(Set(limitedOutcomes.filter { $0.status == 200 }.map { $0.number % 2 }) == [0, 1], "both hosts served within the limit")
        figures.append("rate limit 20/60 s over both hosts: \(limitedOutcomes.filter { $0.status == 200 }.count) of 40 allowed")

        print("multi-host figures:\n  " + figures.joined(separator: "\n  "))
    }
}
