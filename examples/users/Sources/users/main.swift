import Foundation
import NozzleFastCGI

// `--database PATH` is this app's own option; Nozzle's serve options are the rest. The path reaches
// the store (and, under --processes, every worker) through USERS_DATABASE.
var arguments = Array(CommandLine.arguments.dropFirst())
if let path = CommandLineOption.take("--database", from: &arguments) {
    setenv(UserStore.pathVariable, path, 1)
}

var app = App(routes: .generated)
// Open the database and create its schema before serving, so that a bad path stops the app at once.
app.onStart { try UserStore.open() }
app.main(arguments: arguments)
