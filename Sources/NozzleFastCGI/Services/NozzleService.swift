#if ServiceLifecycle
import Nozzle
public import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Nozzle's host as a swift-service-lifecycle `Service`, for an app that composes its own
/// `ServiceGroup`, as Hummingbird's `Application` is one:
///
/// ```swift
/// let group = ServiceGroup(configuration: .init(
///     services: [.init(service: postgres), .init(service: NozzleService(app: app))],
///     gracefulShutdownSignals: [.sigterm], logger: logger))
/// try await group.run()
/// ```
///
/// It serves FastCGI as `App.main()` would for the same options (`--listen`, a socket from
/// spawn-fcgi or systemd), runs the app's `onStart` work first, and on the group's graceful
/// shutdown stops as a SIGTERM stops `App.main()`: no new connections, the requests in flight and
/// the `res.after` work finished within `--shutdown-timeout`, then `run()` returns. The group owns
/// the signals. `--processes` is for `App.main()` only: a supervisor runs processes, not services.
public struct NozzleService: Service {
    /// The app it serves.
    public let app: App
    /// The serve options, as on the command line.
    public let arguments: [String]

    /// The host for `app`, with `arguments` as its options (the process's own unless given).
    public init(app: App, arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        self.app = app
        self.arguments = arguments
    }

    /// Why the host could not serve.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// Serves until the group's graceful shutdown; throws ``Failure`` when it cannot start, or ends
    /// with an error.
    public func run() async throws {
        let options: ServeOptions
        do {
            options = try ServeOptions(arguments: arguments)
        } catch {
            throw Failure(description: "\(error)")
        }
        guard options.command == .serve else { throw Failure(description: "NozzleService serves; '\(options.command.rawValue)' is for App.main()") }
        guard options.processes == nil else { throw Failure(description: "--processes is for App.main(): run one NozzleService in each process instead") }
        let environment = App.processEnvironment()
        do {
            try LogOutput.shared.configure(format: options.logFormat, path: options.logFile)
        } catch {
            throw Failure(description: "\(error)")
        }
        let app = self.app.applying(options)
        let problems = app.configurationErrors
        guard problems.isEmpty else { throw Failure(description: problems.joined(separator: "\n")) }
        try await app.runStartHandlers()
        let (listenFD, ownedPath, describe) = try Self.socket(options: options, environment: environment)
        let server = FastCGIServer(app: app, options: options, listenFD: listenFD, ownedSocketPath: ownedPath, signalFD: nil, environment: environment)
        System.log("nozzle: serving FastCGI on \(describe) with \(options.workers) workers and up to \(options.maxInFlight) requests in flight, pid \(getpid()), as a service")
        let status = await withGracefulShutdownHandler {
            await withCheckedContinuation { continuation in
                _ = Thread.start { continuation.resume(returning: server.run()) }
            }
        } onGracefulShutdown: {
            server.stop(reason: "graceful shutdown of the service group")
        }
        guard status == 0 else { throw Failure(description: "the host ended with status \(status)") }
    }

    /// The listening socket the options and the environment give.
    private static func socket(options: ServeOptions, environment: [String: String]) throws -> (Int32, String?, String) {
        switch StartMode.detect(options: options, environment: environment) {
        case .inheritedSocket: return (0, nil, "fd 0 (spawn-fcgi)")
        case .systemd: return (StartMode.systemdFirstFD, nil, "fd 3 (systemd)")
        case .listen(let address):
            do {
                let fd = try ListeningSocket.open(address, socketMode: options.socketMode)
                if case .unix(let path) = address { return (fd, path, "\(address)") }
                return (fd, nil, "\(address)")
            } catch {
                throw Failure(description: "\(error)")
            }
        case .cgi, .none:
            throw Failure(description: "nothing to serve: give --listen ADDRESS, or start it under spawn-fcgi or systemd")
        }
    }
}
#endif
