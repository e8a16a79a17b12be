#if ServiceLifecycle
import Foundation
import ServiceLifecycle

/// A service that writes a line to stderr when it starts, when it is asked to stop, and when it
/// has stopped (100 ms later), each with its process id; or that throws `failsAfter` its start.
struct LoggingService: Service {
    struct Broken: Error, CustomStringConvertible {
        var description: String { "the queue is unreachable" }
    }

    let name: String
    var failsAfter: Duration?

    func say(_ what: String) {
        FileHandle.standardError.write(Data("service \(name) \(what) pid=\(getpid())\n".utf8))
    }

    func run() async throws {
        say("started")
        if let failsAfter {
            try await Task.sleep(for: failsAfter)
            throw Broken()
        }
        try? await gracefulShutdown()
        say("stopping")
        try? await Task.sleep(for: .milliseconds(100))
        say("stopped")
    }
}
#endif
