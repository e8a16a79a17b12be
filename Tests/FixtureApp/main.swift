// An app for the integration tests: routes that are slow, that throw, that stream, and that echo
// what the host gave them.
import NozzleFastCGI

App(routes: .generated).main()
