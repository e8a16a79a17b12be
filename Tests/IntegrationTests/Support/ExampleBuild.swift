import Foundation

/// Builds the tests need beyond the root package's own: the examples that are packages of their own
/// (`examples/users`, …), built with `swift build --package-path` on first use, once per test run,
/// and the static binary of the shared-hosting guide. `scripts/test.sh` builds them before the tests,
/// so here the build is usually a quick check that nothing changed.
enum ExampleBuild {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var built: Set<String> = []

    /// The path of the example's binary, after building it; throws with the build's output if the
    /// build fails.
    static func binary(_ name: String) throws -> String {
        let package = Paths.root.appending(path: "examples/\(name)")
        return try build(
            ["--package-path", package.path, "--product", name],
            binary: package.appending(path: ".build/debug/\(name)"))
    }

    /// A fully static release build of a product of the root package, built as the deployment guide
    /// says for shared hosting (`-Xswiftc -static-executable`), in `.build-static`.
    static func staticBinary(_ product: String) throws -> String {
        let scratch = Paths.root.appending(path: ".build-static")
        return try build(
            ["--package-path", Paths.root.path, "-c", "release", "--product", product, "-Xswiftc", "-static-executable", "--scratch-path", scratch.path],
            binary: scratch.appending(path: "release/\(product)"))
    }

    /// Runs `swift build` with `arguments` once per test run, and returns the path of `binary`.
    private static func build(_ arguments: [String], binary: URL) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if built.contains(binary.path) { return binary.path }
        let result = try RunningProcess.run("/usr/bin/env", ["swift", "build"] + arguments, in: Paths.temporaryDirectory(), timeout: 1200)
        guard result.status == 0 else {
            throw SetupError(what: "swift build \(arguments.joined(separator: " ")) failed:\n\(result.stdout)\(result.stderr)")
        }
        built.insert(binary.path)
        return binary.path
    }

    /// Whether the ELF file at `path` asks for no dynamic loader (no `PT_INTERP` program header):
    /// it runs on a host with no Swift runtime and no libfcgi.
    static func isStaticExecutable(_ path: String) throws -> Bool {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count > 64, bytes[0..<4] == [0x7F, 0x45, 0x4C, 0x46], bytes[4] == 2 else { return false }  // ELF, 64-bit
        func integer(_ offset: Int, _ size: Int) -> Int {
            (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }  // little-endian
        }
        let headerOffset = integer(0x20, 8), entrySize = integer(0x36, 2), count = integer(0x38, 2)
        let interpreter = 3
        return !(0..<count).contains { integer(headerOffset + $0 * entrySize, 4) == interpreter }
    }
}
