import Nozzle

/// One of the serve command's options: its names, the value it takes, its help, whether only the
/// supervisor reads it, and what it sets. ``ServeOptions/table`` is the one list that parsing,
/// `--help`, the arguments a worker process gets, and the README's option list come from.
struct ServeOption: Sendable {
    /// `--workers`, or `-h` and `--help`.
    let names: [String]
    /// What the value looks like in `--help` (`N`, `SECONDS`); nil for a flag.
    let placeholder: String?
    /// The help text; a line break starts a new line under the first.
    let help: String
    /// Read by the supervisor only: its worker processes do not get it (they inherit the socket, the
    /// dropped privileges, and log to the supervisor).
    var supervisorOnly = false
    /// Sets the option from its value (empty for a flag).
    let apply: @Sendable (inout ServeOptions, String) throws(ServeOptions.ParseError) -> Void

    var name: String { names.last ?? "" }

    /// The option's lines in `--help`: names and placeholder in a column of 29, then the help.
    var usageLines: [String] {
        let left = names.joined(separator: ", ") + (placeholder.map { " " + $0 } ?? "")
        let help = self.help.split(separator: "\n", omittingEmptySubsequences: false)
        let pad = String(repeating: " ", count: 31)
        var lines = ["  " + left + String(repeating: " ", count: max(0, 29 - left.count)) + help[0]]
        if left.count >= 29 { lines = ["  " + left, pad + help[0]] }
        lines += help.dropFirst().map { pad + $0 }
        return lines
    }
}

extension ServeOptions {
    /// Every option of the serve command, in the order `--help` lists them.
    static let table: [ServeOption] = [
        ServeOption(names: ["--listen"], placeholder: "ADDR", help: "127.0.0.1:9000, [::1]:9000, :9000, or unix:/run/app.sock", supervisorOnly: true) { options, text throws(ParseError) in
            do {
                options.listen = try ListenAddress(parsing: text)
            } catch {
                throw ParseError(description: "\(error)")
            }
        },
        ServeOption(names: ["--socket-mode"], placeholder: "MODE", help: "permissions of the unix socket, such as 0660", supervisorOnly: true) { options, text throws(ParseError) in
            guard let mode = UInt32(text, radix: 8), mode <= 0o777 else {
                throw ParseError(description: "--socket-mode takes octal permissions such as 0660, not '\(text)'")
            }
            options.socketMode = mode
        },
        ServeOption(names: ["--socket-owner"], placeholder: "USER[:GROUP]", help: "owner of the unix socket", supervisorOnly: true) { options, text in
            options.socketOwner = text
        },
        ServeOption(names: ["--user"], placeholder: "NAME", help: "run as this user once the socket is open", supervisorOnly: true) { options, text in
            options.user = text
        },
        ServeOption(names: ["--group"], placeholder: "NAME", help: "run as this group once the socket is open", supervisorOnly: true) { options, text in
            options.group = text
        },
        ServeOption(
            names: ["--allow"], placeholder: "LIST",
            help: "addresses and CIDRs a TCP listener accepts (default: loopback);\nFCGI_WEB_SERVER_ADDRS is honoured too, for IPv4 and IPv6"
        ) { options, text throws(ParseError) in
            for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: " ") }) where !entry.isEmpty {
                guard AddressRange(entry) != nil else {
                    throw ParseError(description: "--allow: '\(entry)' is not an address or a CIDR range such as 10.0.0.0/8 or fd00::/8")
                }
                options.allow.append(entry)
            }
        },
        ServeOption(
            names: ["--workers"], placeholder: "N",
            help: "threads that run handlers' code (default \(ServeOptions.defaultWorkers)); a handler\nthat awaits holds none"
        ) { options, text throws(ParseError) in
            options.workers = try count("--workers", text, in: 1...4096)
        },
        ServeOption(
            names: ["--scheduling"], placeholder: "batch|normal",
            help: "how the kernel schedules the worker threads (default batch: a thread\nwoken by a request does not preempt the web server on this machine)"
        ) { options, text throws(ParseError) in
            guard let scheduling = WorkerScheduling(rawValue: text) else {
                throw ParseError(description: "--scheduling takes batch or normal, not '\(text)'")
            }
            options.scheduling = scheduling
        },
        ServeOption(
            names: ["--malloc-arenas"], placeholder: "N",
            help: "arenas glibc's malloc makes at most (default \(ServeOptions.defaultMallocArenas); 0: glibc's\nown, eight per core); MALLOC_ARENA_MAX, when set, wins"
        ) { options, text throws(ParseError) in
            options.mallocArenas = try count("--malloc-arenas", text, in: 0...1024)
        },
        ServeOption(
            names: ["--max-in-flight"], placeholder: "N",
            help: "requests in flight at once, running or waiting (default\n\(ServeOptions.defaultMaxInFlight)); more wait on their connections"
        ) { options, text throws(ParseError) in
            options.maxInFlight = try count("--max-in-flight", text, in: 1...1_000_000)
        },
        ServeOption(
            names: ["--max-after-response"], placeholder: "N",
            help: "res.after work running at once (default 100); more waits for a\nslot, none is dropped"
        ) { options, text throws(ParseError) in
            options.maxAfterResponse = try count("--max-after-response", text, in: 1...1_000_000)
        },
        ServeOption(names: ["--shutdown-timeout"], placeholder: "SECONDS", help: "on SIGTERM, how long to let requests finish (default 30)") { options, text throws(ParseError) in
            options.shutdownTimeout = try seconds("--shutdown-timeout", text, allowingZero: true)
        },
        ServeOption(names: ["--log-to-fastcgi-stderr"], placeholder: nil, help: "also write request errors to the web server's error log") { options, _ in
            options.logToFastCGIStderr = true
        },
        ServeOption(names: ["--base-path"], placeholder: "PATH", help: "a URL prefix the routes do not include, such as /app") { options, text in
            options.basePath = text
        },
        ServeOption(
            names: ["--processes"], placeholder: "N",
            help: "run N worker processes under a supervisor that replaces any that\ncrash; SIGHUP reloads the executable from disk with no downtime", supervisorOnly: true
        ) { options, text throws(ParseError) in
            options.processes = try count("--processes", text, in: 1...1024)
        },
        ServeOption(names: ["--max-requests"], placeholder: "N", help: "replace a worker process after N requests") { options, text throws(ParseError) in
            options.recycling.maxRequests = try count("--max-requests", text, in: 1...Int.max)
        },
        ServeOption(
            names: ["--max-requests-jitter"], placeholder: "N",
            help: "each worker adds a random 0 to N to --max-requests, so that\nworkers started together do not retire together"
        ) { options, text throws(ParseError) in
            options.recycling.jitter = try count("--max-requests-jitter", text, in: 0...Int.max)
        },
        ServeOption(
            names: ["--max-memory"], placeholder: "SIZE",
            help: "replace a worker process whose resident memory passes SIZE\n(512mb, 1gb) once its requests in flight have finished"
        ) { options, text throws(ParseError) in
            guard let bytes = SizeLimit(text).bytes, bytes > 0 else {
                throw ParseError(description: "--max-memory takes a size such as 512mb or 1gb, not '\(text)'")
            }
            options.recycling.maxMemory = bytes
        },
        ServeOption(
            names: ["--request-timeout"], placeholder: "SECONDS",
            help: "cancel a handler and answer 504 after this long; a handler that\nholds a thread for twice this ends its worker process"
        ) { options, text throws(ParseError) in
            options.requestTimeout = try seconds("--request-timeout", text, allowingZero: false)
        },
        ServeOption(
            names: ["--status-path"], placeholder: "PATH",
            help: "JSON status at PATH (?format=prometheus for Prometheus text,\n?full for every request in flight, ?html for a page to watch)"
        ) { options, text in
            options.statusPath = text
        },
        ServeOption(names: ["--status-show-query"], placeholder: nil, help: "?full shows query values too (left out by default)") { options, _ in
            options.statusShowsQuery = true
        },
        ServeOption(
            names: ["--slow-request-log"], placeholder: "SECONDS",
            help: "log a request once it has taken this long: its route, id and state,\nand the stack of the thread it holds, if it holds one"
        ) { options, text throws(ParseError) in
            options.slowRequestLog = try seconds("--slow-request-log", text, allowingZero: false)
        },
        ServeOption(names: ["--ping-path"], placeholder: "PATH", help: "\"pong\" at PATH; both only for clients in --allow (default loopback)") { options, text in
            options.pingPath = text
        },
        ServeOption(names: ["--openapi-path"], placeholder: "PATH", help: "the OpenAPI document at PATH, for the same clients") { options, text in
            options.openAPIPath = text
        },
        ServeOption(names: ["--log-format"], placeholder: "logfmt|json", help: "how log lines are written (default logfmt)") { options, text throws(ParseError) in
            guard let format = LogFormat(rawValue: text) else { throw ParseError(description: "--log-format takes logfmt or json, not '\(text)'") }
            options.logFormat = format
        },
        ServeOption(
            names: ["--log-file"], placeholder: "PATH", help: "append the log to PATH instead of stderr; SIGUSR1 reopens it", supervisorOnly: true
        ) { options, text in
            options.logFile = text
        },
        ServeOption(names: ["--access-log"], placeholder: nil, help: "a log line for every request: status, bytes, duration, request id") { options, _ in
            options.accessLog = true
        },
        ServeOption(names: ["--dev"], placeholder: nil, help: "show error details in 500 responses") { options, _ in
            options.development = true
        },
        ServeOption(names: ["-h", "--help"], placeholder: nil, help: "show this help") { options, _ in
            options.command = .help
        },
    ]

    /// The options by each of their names.
    static let byName: [String: ServeOption] = Dictionary(uniqueKeysWithValues: table.flatMap { option in option.names.map { ($0, option) } })

    static func count(_ option: String, _ text: String, in range: ClosedRange<Int>) throws(ParseError) -> Int {
        guard let number = Int(text), range.contains(number) else {
            let bounds = range.upperBound < Int.max ? "a number from \(range.lowerBound) to \(range.upperBound)"
                : range.lowerBound == 0 ? "0 or a positive number" : "a positive number"
            throw ParseError(description: "\(option) takes \(bounds), not '\(text)'")
        }
        return number
    }

    static func seconds(_ option: String, _ text: String, allowingZero: Bool) throws(ParseError) -> Double {
        guard let seconds = Double(text.hasSuffix("s") ? String(text.dropLast()) : text), seconds > 0 || (allowingZero && seconds == 0) else {
            throw ParseError(description: "\(option) takes seconds, not '\(text)'")
        }
        return seconds
    }
}
