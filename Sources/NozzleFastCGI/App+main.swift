import Nozzle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

extension App {
    /// Runs the app as its command line says, then exits.
    ///
    /// The same binary serves FastCGI on a socket handed over by spawn-fcgi or systemd, or on one it
    /// opens with `--listen`; answers one request as a CGI program; or prints the route table with
    /// `routes`. Started by hand with nothing to serve, it prints its usage and exits 2.
    ///
    /// ```swift
    /// // main.swift
    /// import NozzleFastCGI
    /// App(routes: .generated).main()
    /// ```
    public func main() -> Never {
        main(arguments: Array(CommandLine.arguments.dropFirst()))
    }

    /// Runs the app for `arguments` instead of the process's own, then exits: for an app that takes
    /// options of its own and removes them first.
    ///
    /// ```swift
    /// var arguments = Array(CommandLine.arguments.dropFirst())
    /// let database = CommandLineOption.take("--database", from: &arguments)
    /// App(routes: .generated).main(arguments: arguments)
    /// ```
    ///
    /// Under `--processes`, each worker starts with the process's full command line again, so it
    /// removes its own options the same way.
    public func main(arguments: [String]) -> Never {
        exit(run(arguments: arguments, environment: App.processEnvironment()))
    }

    /// Runs the app for `arguments` and returns the exit status.
    func run(arguments: [String], environment: [String: String]) -> Int32 {
        let program = System.programName
        if arguments.first == "call" {
            guard startUp() else { return 1 }
            return CallCommand.run(app: self, arguments: arguments.dropFirst())
        }
        let options: ServeOptions
        do {
            options = try ServeOptions(arguments: arguments)
        } catch {
            System.writeStderr("\(program): \(error)\nRun '\(program) --help' for the options.")
            return 2
        }
        let app = applying(options)
        switch options.command {
        case .help:
            print(Usage.text(program: program), terminator: "")
            return 0
        case .routes:
            print(RouteListing.text(for: app), terminator: "")
            return 0
        case .openapi:
            print(OpenAPIDocument.json(for: app, defaultTitle: program).prettyText)
            return 0
        case .nginxConfig:
            print(NginxConfigCommand.text(for: app, options: options), terminator: "")
            return 0
        case .serve:
            break
        }
        do {
            try LogOutput.shared.configure(format: options.logFormat, path: options.logFile)
        } catch {
            System.writeStderr("\(program): \(error)")
            return 1
        }
        let problems = app.configurationErrors
        guard problems.isEmpty else {
            for problem in problems { System.writeStderr("\(program): \(problem)") }
            return 1
        }
        let mode = StartMode.detect(options: options, environment: environment)
        switch mode {
        case .cgi:
            guard app.startUp() else { return 1 }
            return CGIResponder.respond(app: app, options: options, environment: environment)
        case .none:
            System.writeStderr(Usage.text(program: program))
            return 2
        case .inheritedSocket:
            return app.serve(listenFD: 0, ownedSocketPath: nil, options: options, environment: environment, describe: "fd 0 (spawn-fcgi)")
        case .systemd:
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDNAMES")
            guard ListeningSocket.isListening(StartMode.systemdFirstFD) else {
                System.writeStderr("\(program): LISTEN_FDS is set for this process, but fd 3 is not a listening socket")
                return 1
            }
            _ = fcntl(StartMode.systemdFirstFD, F_SETFD, FD_CLOEXEC)
            return app.serve(listenFD: StartMode.systemdFirstFD, ownedSocketPath: nil, options: options, environment: environment, describe: "fd 3 (systemd)")
        case .listen(let address):
            let fd: Int32
            do {
                fd = try ListeningSocket.open(address, socketMode: options.socketMode)
            } catch {
                System.writeStderr("\(program): \(error)")
                return 1
            }
            var ownedPath: String?
            if case .unix(let path) = address {
                ownedPath = path
                if let owner = options.socketOwner {
                    do {
                        try Privileges.chown(socket: path, owner: owner)
                    } catch {
                        System.writeStderr("\(program): --socket-owner: \(error)")
                        unlink(path)
                        return 1
                    }
                }
            }
            return app.serve(listenFD: fd, ownedSocketPath: ownedPath, options: options, environment: environment, describe: "\(address)")
        }
    }

    private func serve(listenFD: Int32, ownedSocketPath: String?, options: ServeOptions, environment: [String: String], describe: String) -> Int32 {
        do {
            try Privileges.drop(user: options.user, group: options.group)
        } catch {
            System.writeStderr("\(System.programName): \(error)")
            if let ownedSocketPath { unlink(ownedSocketPath) }
            return 1
        }
        // After dropping privileges, so that files the work creates belong to the serving user. A
        // supervisor runs it too, so that a failure stops the app at once instead of every worker.
        // Signals are blocked first, in every thread the work starts.
        Signals.block(including: options.processes != nil ? [SIGCHLD] : [])
        MallocArenas.limit(to: options.mallocArenas)
        guard startUp() else {
            if let ownedSocketPath { unlink(ownedSocketPath) }
            return 1
        }
        if options.processes != nil {
            let supervisor = Supervisor(
                options: options, listenFD: listenFD, ownedSocketPath: ownedSocketPath,
                arguments: Array(CommandLine.arguments.dropFirst()), environment: environment,
                routeCount: routes.routes.count)
            return supervisor.run()
        }
        System.raiseOpenFileLimit()
        SharedRateLimitTable.adopt(environment: environment)
        let signalFD = Signals.takeOver()
        let server = FastCGIServer(
            app: self, options: options, listenFD: listenFD, ownedSocketPath: ownedSocketPath, signalFD: signalFD, environment: environment)
        #if ServiceLifecycle
        // The app's services start before the process serves, and stop after its last request.
        // One that ends or fails while the process serves stops it, with exit status 1.
        let servicesEnded = Atomic(false)
        let services = AppServices.start(self.services, shutdownTimeout: options.shutdownTimeout) { [server] reason in
            servicesEnded.store(true, ordering: .releasing)
            server.stop(reason: reason)
        }
        #endif
        System.log("nozzle: serving FastCGI on \(describe) with \(options.workers) workers and up to \(options.maxInFlight) requests in flight, pid \(getpid())")
        let status = server.run()
        #if ServiceLifecycle
        if let services { _ = services.shutDown(within: options.shutdownTimeout + 1) }
        if servicesEnded.load(ordering: .acquiring) { return 1 }
        #endif
        return status
    }

    /// The app with the settings that serve options override.
    func applying(_ options: ServeOptions) -> App {
        var app = self
        if options.development { app.development = true }
        if let timeout = options.requestTimeout { app.requestTimeout = .milliseconds(Int(timeout * 1000)) }
        if let limit = options.maxAfterResponse { app.maxAfterResponse = limit }
        return app
    }

    /// Runs the app's start-up work on this thread; false, with the error written to stderr, when it fails.
    private func startUp() -> Bool {
        let failure = Mutex<(any Error)?>(nil)
        let app = self
        CurrentThreadExecutor.run {
            do {
                try await app.runStartHandlers()
            } catch {
                failure.withLock { $0 = error }
            }
        }
        guard let error = failure.withLock({ $0 }) else { return true }
        System.writeStderr("\(System.programName): start-up failed: \(error)")
        return false
    }

    static func processEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return environment
    }
}
