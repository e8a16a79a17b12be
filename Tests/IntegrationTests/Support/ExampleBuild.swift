import Foundation

/// The examples that are packages of their own (`examples/users`, …): built with `swift build
/// --package-path` on first use, once per test run. `scripts/test.sh` builds them before the tests,
/// so here the build is usually a quick check that nothing changed.
enum ExampleBuild {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var built: [String: String] = [:]

    /// The path of the example's binary, after building it; throws with the build's output if the
    /// build fails.
    static func binary(_ name: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let path = built[name] { return path }
        let package = Paths.root.appending(path: "examples/\(name)")
        let result = try RunningProcess.run(
            "/usr/bin/env", ["swift", "build", "--package-path", package.path, "--product", name], in: Paths.temporaryDirectory(), timeout: 1200)
        guard result.status == 0 else { throw SetupError(what: "building examples/\(name) failed:\n\(result.stdout)\(result.stderr)") }
        let path = package.appending(path: ".build/debug/\(name)").path
        built[name] = path
        return path
    }
}
