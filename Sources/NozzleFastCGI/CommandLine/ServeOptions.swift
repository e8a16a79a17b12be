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
    /// `--max-in-flight N`: requests in flight at once in this process, running or waiting; more
    /// wait on their connections until one ends.
    var maxInFlight = ServeOptions.defaultMaxInFlight
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

    /// The arguments a worker process gets: the supervisor's, without what only the supervisor uses.
    static func workerArguments(from arguments: [String]) -> [String] {
        // Workers inherit the socket and the dropped privileges.
        // Workers log to the supervisor, which writes the log file.
        let supervisorOnly: Set<String> = ["--processes", "--listen", "--socket-mode", "--socket-owner", "--user", "--group", "--log-file"]
        var result: [String] = []
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if supervisorOnly.contains(name) {
                if !argument.contains("=") { _ = rest.popFirst() }
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
        func value(_ option: String) throws(ParseError) -> String {
            guard let value = rest.popFirst() else { throw ParseError(description: "\(option) needs a value") }
            return value
        }
        func count(_ option: String, in range: ClosedRange<Int>) throws(ParseError) -> Int {
            let text = try value(option)
            guard let number = Int(text), range.contains(number) else {
                let bounds = range.upperBound < Int.max ? "a number from \(range.lowerBound) to \(range.upperBound)"
                    : range.lowerBound == 0 ? "0 or a positive number" : "a positive number"
                throw ParseError(description: "\(option) takes \(bounds), not '\(text)'")
            }
            return number
        }
        func seconds(_ option: String, allowingZero: Bool) throws(ParseError) -> Double {
            let text = try value(option)
            guard let seconds = Double(text.hasSuffix("s") ? String(text.dropLast()) : text), seconds > 0 || (allowingZero && seconds == 0) else {
                throw ParseError(description: "\(option) takes seconds, not '\(text)'")
            }
            return seconds
        }
        while let argument = rest.popFirst() {
            var option = argument
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                option = String(argument[..<equals])
                rest.insert(String(argument[argument.index(after: equals)...]), at: rest.startIndex)
            }
            switch option {
            case "--listen":
                let text = try value(option)
                do {
                    listen = try ListenAddress(parsing: text)
                } catch {
                    throw ParseError(description: "\(error)")
                }
            case "--socket-mode":
                let text = try value(option)
                guard let mode = UInt32(text, radix: 8), mode <= 0o777 else {
                    throw ParseError(description: "--socket-mode takes octal permissions such as 0660, not '\(text)'")
                }
                socketMode = mode
            case "--workers":
                workers = try count(option, in: 1...4096)
            case "--max-in-flight":
                maxInFlight = try count(option, in: 1...1_000_000)
            case "--shutdown-timeout":
                shutdownTimeout = try seconds(option, allowingZero: true)
            case "--socket-owner":
                socketOwner = try value(option)
            case "--user":
                user = try value(option)
            case "--group":
                group = try value(option)
            case "--log-format":
                let text = try value(option)
                guard let format = LogFormat(rawValue: text) else {
                    throw ParseError(description: "--log-format takes logfmt or json, not '\(text)'")
                }
                logFormat = format
            case "--log-file":
                logFile = try value(option)
            case "--access-log":
                accessLog = true
            case "--status-path":
                statusPath = try value(option)
            case "--ping-path":
                pingPath = try value(option)
            case "--openapi-path":
                openAPIPath = try value(option)
            case "--allow":
                let text = try value(option)
                for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: " ") }) where !entry.isEmpty {
                    guard AddressRange(entry) != nil else {
                        throw ParseError(description: "--allow: '\(entry)' is not an address or a CIDR range such as 10.0.0.0/8 or fd00::/8")
                    }
                    allow.append(entry)
                }
            case "--request-timeout":
                requestTimeout = try seconds(option, allowingZero: false)
            case "--log-to-fastcgi-stderr":
                logToFastCGIStderr = true
            case "--base-path":
                basePath = try value(option)
            case "--dev":
                development = true
            case "--processes":
                processes = try count(option, in: 1...1024)
            case "--max-requests":
                recycling.maxRequests = try count(option, in: 1...Int.max)
            case "--max-requests-jitter":
                recycling.jitter = try count(option, in: 0...Int.max)
            case "--max-memory":
                let text = try value(option)
                guard let bytes = SizeLimit(text).bytes, bytes > 0 else {
                    throw ParseError(description: "--max-memory takes a size such as 512mb or 1gb, not '\(text)'")
                }
                recycling.maxMemory = bytes
            case "--help", "-h":
                command = .help
            default:
                throw ParseError(description: "unknown option '\(argument)'")
            }
        }
        if recycling.jitter > 0 && recycling.maxRequests == nil {
            throw ParseError(description: "--max-requests-jitter adds to --max-requests, which is not given")
        }
    }
}
