#if ServiceLifecycle
import Logging
import Nozzle
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The app's services (``App/services``) in a worker process: one swift-service-lifecycle
/// `ServiceGroup`, started before the host serves and shut down gracefully, in reverse order,
/// after the host's last request and its `res.after` work.
///
/// The group handles no signal itself: the host owns them, and calls ``shutDown(within:)`` when its
/// own graceful stop is over. A service that ends or throws while the process serves stops the
/// process (`onEnd`).
final class AppServices: Sendable {
    private let group: ServiceGroup
    private let names: [String]
    /// Opened once every service has been started, and again when the group has ended.
    private let started = Latch()
    private let ended = Latch()
    /// Set when the host asked the group to shut down: an end after that is no failure.
    private let stopping = Atomic(false)

    private init(_ services: [any Service], timeout: Double) {
        names = services.map { String(describing: type(of: $0)) }
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) } + [.init(service: StartedSignal(latch: started), serviceName: "started")],
            logger: ProcessLog.logger(label: "services", level: .notice))
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int(timeout * 1000))
        group = ServiceGroup(configuration: configuration)
    }

    /// Starts `services`, in order, and returns once each has been started (its `run()` called);
    /// nil when there are none. `onEnd` is told, once, when the group ends before ``shutDown(within:)``.
    static func start(_ services: [any Service], shutdownTimeout: Double, onEnd: @escaping @Sendable (String) -> Void) -> AppServices? {
        guard !services.isEmpty else { return nil }
        let running = AppServices(services, timeout: shutdownTimeout)
        Task {
            var outcome = "ended"
            do {
                try await running.group.run()
            } catch {
                outcome = "failed: \(error)"
            }
            if !running.stopping.load(ordering: .acquiring) { onEnd("a service \(outcome)") }
            // A group that ended before its last service ran must not leave the start waiting.
            running.started.open()
            running.ended.open()
        }
        // The signal service is the last: when it runs, every service before it has been started.
        _ = running.started.wait(seconds: .infinity)
        System.log("nozzle: started \(services.count) services: \(running.names.joined(separator: ", "))")
        return running
    }

    /// Shuts the services down gracefully, last first, each within the shutdown timeout (past it,
    /// the group cancels them); returns whether they ended within `seconds`.
    func shutDown(within seconds: Double) -> Bool {
        stopping.store(true, ordering: .releasing)
        let group = self.group
        Task { await group.triggerGracefulShutdown() }
        let done = ended.wait(seconds: seconds)
        System.log(done ? "nozzle: services stopped" : "nozzle: services did not stop within \(seconds)s", level: done ? .info : .warning)
        return done
    }
}

/// The group's last service: it tells the host that every service before it has been started,
/// and is the first to end at a graceful shutdown.
private struct StartedSignal: Service {
    let latch: Latch

    func run() async throws {
        latch.open()
        try? await gracefulShutdown()
    }
}

/// A signal from a task to a thread that waits for it, with a timeout.
final class Latch: Sendable {
    private let bell = Bell()

    /// Wakes the waiter, now or when it comes.
    func open() { bell.ring() }

    /// Waits until opened, or `seconds`; returns whether it was opened.
    func wait(seconds: Double) -> Bool {
        var poller = pollfd(fd: bell.fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = seconds.isFinite ? Int32(min(seconds * 1000, Double(Int32.max))) : -1
        while true {
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }
}
#endif
