// An app for the integration tests: routes that are slow, that throw, that stream, and that echo
// what the host gave them.
import Foundation
import NozzleFastCGI

var app = App(routes: .generated)
// Start-up work that starts a thread of its own, as a database client's event loops do: the host's
// signals (SIGTERM, SIGHUP) must still reach it, not that thread.
app.onStart {
    Thread.detachNewThread {
        while true { sleep(3600) }
    }
}
app.main()
