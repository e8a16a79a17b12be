// An app for the integration tests: routes that are slow, that throw, that stream, and that echo
// what the host gave them.
import Foundation
import NozzleFastCGI
#if ServiceLifecycle
import ServiceLifecycle
#endif

var app = App(routes: .generated)
// Start-up work that starts a thread of its own, as a database client's event loops do: the host's
// signals (SIGTERM, SIGHUP) must still reach it, not that thread.
app.onStart {
    Thread.detachNewThread {
        while true { sleep(3600) }
    }
}
#if ServiceLifecycle
// With FIXTURE_SERVICES=1, two services that say when they start and stop, and take a moment to;
// with FIXTURE_SERVICES=fail, a third that throws a moment after it starts.
switch ProcessInfo.processInfo.environment["FIXTURE_SERVICES"] {
case "1": app.services = [LoggingService(name: "alpha"), LoggingService(name: "beta")]
case "fail": app.services = [LoggingService(name: "alpha"), LoggingService(name: "broken", failsAfter: .milliseconds(300))]
default: break
}
// With FIXTURE_SERVICE_GROUP=1, the app composes its own ServiceGroup, with the host as one of its
// services after a service of its own, and the group handles SIGTERM.
if ProcessInfo.processInfo.environment["FIXTURE_SERVICE_GROUP"] == "1" {
    let served = app
    let group = ServiceGroup(configuration: .init(
        services: [.init(service: LoggingService(name: "alpha")), .init(service: NozzleService(app: served))],
        gracefulShutdownSignals: [.sigterm], logger: ProcessLog.logger(label: "group")))
    do {
        try await group.run()
    } catch {
        FileHandle.standardError.write(Data("the service group failed: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}
#endif
app.main()
