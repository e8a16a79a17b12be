import Nozzle

/// The app binary's command and options, parsed from its arguments.
struct ServeOptions: Sendable {
    enum Command: String, Sendable {
        case serve, routes, help, openapi
        case nginxConfig = "nginx-config"
    }

    var command: Command = .serve
    /// `--listen ADDR`: open this socket instead of using one handed over.
    var listen: ListenAddress?
    /// `--socket-mode MODE`: permissions of a unix socket we create.
    var socketMode: UInt32?
    /// `--workers N`: threads that run handlers' code in this process.
    var workers = ServeOptions.defaultWorkers
    /// `--scheduling batch|normal`: how the kernel schedules the worker threads.
    var scheduling = WorkerScheduling.batch
    /// `--malloc-arenas N`: the most arenas glibc's malloc makes in this process; 0 leaves glibc's
    /// own limit (eight for each core).
    var mallocArenas = ServeOptions.defaultMallocArenas
    /// `--max-in-flight N`: requests in flight at once in this process, running or waiting; more
    /// wait on their connections until one ends.
    var maxInFlight = ServeOptions.defaultMaxInFlight
    /// `--max-after-response`: `res.after` work that runs at once; the app's own setting unless given.
    var maxAfterResponse: Int?
    /// `--shutdown-timeout SECONDS`: how long a graceful stop waits for requests in flight.
    var shutdownTimeout = 30.0
    /// `--log-to-fastcgi-stderr`: also send request log lines to the web server's error log.
    var logToFastCGIStderr = false
    /// `--base-path PATH`: a prefix that route paths do not include.
    var basePath: String?
    /// `--dev`: error details in 500 bodies.
    var development = false
    /// `--processes N`: run a supervisor with N worker processes.
    var processes: Int?
    /// `--max-requests N`, `--max-requests-jitter N` and `--max-memory SIZE`: when a worker process
    /// stops gracefully, to be replaced.
    var recycling = Recycling()
    /// `--socket-owner USER[:GROUP]`: the owner of a unix socket we create.
    var socketOwner: String?
    /// `--user NAME` and `--group NAME`: who to run as, once the socket is open.
    var user: String?
    var group: String?
    /// `--log-format logfmt|json`: how log lines are written.
    var logFormat = LogFormat.logfmt
    /// `--log-file PATH`: append the log there instead of stderr; SIGUSR1 reopens it.
    var logFile: String?
    /// `--access-log`: a log line for every request.
    var accessLog = false
    /// `--status-path PATH` and `--ping-path PATH`: the status page and the ping, for allowed clients.
    var statusPath: String?
    var pingPath: String?
    /// `--status-show-query`: `?full` shows query values.
    var statusShowsQuery = false
    /// `--slow-request-log`: seconds after which a request in flight is logged, with its stack.
    var slowRequestLog: Double?
    /// `--openapi-path PATH`: the OpenAPI document, for the clients the status page allows.
    var openAPIPath: String?
    /// `--allow LIST`: addresses and CIDR ranges a TCP listener accepts; loopback unless given.
    var allow: [String] = []
    /// `--request-timeout SECONDS`: cancel a handler and answer 504 after this long; a handler still
    /// running at twice this ends its worker process.
    var requestTimeout: Double?

    /// Two per core, and at least four. Waiting costs no thread; the spare threads are for handlers
    /// that block one, such as a synchronous SQLite call, so that others still run meanwhile.
    static var defaultWorkers: Int { max(4, 2 * System.coreCount) }

    /// Two. With an arena for each thread, as glibc makes by default, memory a worker thread freed
    /// (thousands of requests it started, answered by others) stays in its arena, out of the other
    /// threads' reach: with 10,000 waiting, a request took 5.0 to 7.0 KB from one run to the next,
    /// and 4.4 to 5.0 KB in two arenas, with no cost measured on a hello request's CPU.
    static let defaultMallocArenas = 2

    /// Ten thousand: about 150 MB of waiting requests at the most, far under a connection limit.
    static let defaultMaxInFlight = 10_000

    /// The peers a TCP listener accepts: `--allow` (loopback unless given), plus the addresses in
    /// `FCGI_WEB_SERVER_ADDRS`, as libfcgi reads it (libfcgi checked it for IPv4 peers only).
    func allowedPeers(environment: [String: String]) -> [AddressRange] {
        var entries = allow.isEmpty ? ["127.0.0.0/8", "::1"] : allow
        if let addresses = environment["FCGI_WEB_SERVER_ADDRS"] {
            entries += addresses.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
        }
        return entries.compactMap(AddressRange.init)
    }

    /// The arguments a worker process gets: the supervisor's, without what only the supervisor uses
    /// (``ServeOption/supervisorOnly``).
    static func workerArguments(from arguments: [String]) -> [String] {
        var result: [String] = []
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if let option = byName[name], option.supervisorOnly {
                if option.placeholder != nil && !argument.contains("=") { _ = rest.popFirst() }
                continue
            }
            result.append(argument)
        }
        return result
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    init() {}

    init(arguments: [String]) throws(ParseError) {
        var rest = arguments[...]
        if let first = rest.first, !first.hasPrefix("-") {
            guard let command = Command(rawValue: first) else { throw ParseError(description: "unknown command '\(first)'") }
            self.command = command
            rest = rest.dropFirst()
        }
        while let argument = rest.popFirst() {
            var name = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            guard let option = ServeOptions.byName[name] else { throw ParseError(description: "unknown option '\(argument)'") }
            var value = ""
            if option.placeholder != nil {
                guard let given = inline ?? rest.popFirst() else { throw ParseError(description: "\(name) needs a value") }
                value = given
            }
            try option.apply(&self, value)
        }
        if recycling.jitter > 0 && recycling.maxRequests == nil {
            throw ParseError(description: "--max-requests-jitter adds to --max-requests, which is not given")
        }
    }
}
