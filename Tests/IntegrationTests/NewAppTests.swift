import Foundation
import Nozzle
import Testing

/// `scripts/new-app.sh`, and `nginx/run.sh --watch` on the app it makes: what a newcomer does first.
@Suite(.serialized)
struct NewAppTests {
    /// The app the suite makes and builds once: `todo-app`, depending on this checkout by path.
    static let app = Result { () throws -> URL in
        let directory = Paths.temporaryDirectory().appending(path: "todo-app")
        let made = try RunningProcess.run(Paths.root.appending(path: "scripts/new-app.sh").path, [directory.path], in: Paths.temporaryDirectory())
        guard made.status == 0 else { throw SetupError(what: "new-app.sh failed: \(made.stdout)\(made.stderr)") }
        return directory
    }

    func swift(_ arguments: [String], in directory: URL) throws -> (ok: Bool, output: String) {
        let result = try RunningProcess.run("/usr/bin/env", ["swift"] + arguments + ["--package-path", directory.path], in: directory, timeout: 1200)
        return (result.status == 0, result.stdout + result.stderr)
    }

    @Test func aNewAppBuildsWithNoWarningsAndItsTestPasses() throws {
        let app = try Self.app.get()
        for file in ["Package.swift", "Sources/todo-app/main.swift", "Sources/todo-app/api/hello.swift", "Tests/todo-appTests/HelloTests.swift", ".gitignore", "README.md"] {
            #expect(FileManager.default.fileExists(atPath: app.appending(path: file).path), "\(file)")
        }
        let readme = try String(contentsOf: app.appending(path: "README.md"), encoding: .utf8)
        #expect(readme.contains("nginx/run.sh \(app.path) --watch"))
        let built = try swift(["build", "--build-tests"], in: app)
        #expect(built.ok, "\(built.output)")
        #expect(!built.output.contains("warning:"), "\(built.output)")
        let tested = try swift(["test"], in: app)
        #expect(tested.ok, "\(tested.output)")
        #expect(tested.output.contains("Test run with 3 tests"), "\(tested.output)")
        let called = try RunningProcess.run(app.appending(path: ".build/debug/todo-app").path, ["call", "GET", "/api/hello?name=Ada"], in: app)
        #expect(called.stdout.contains(#"{"message":"Hello, Ada!"}"#), "\(called.stdout)")

        // What the script refuses.
        let refusals: [([String], String)] = [
            ([app.path], "exists and is not empty"),
            ([Paths.temporaryDirectory().appending(path: "9lives").path], "cannot name an app"),
            ([Paths.temporaryDirectory().appending(path: "x").path, "--nozzle-url", "https://example.com/nozzle.git"], "needs --from VERSION"),
        ]
        for (arguments, message) in refusals {
            let refused = try RunningProcess.run(Paths.root.appending(path: "scripts/new-app.sh").path, arguments, in: Paths.temporaryDirectory())
            #expect(refused.status != 0)
            #expect(refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
    }

    @Test func aNewAppCanDependOnNozzleByURL() throws {
        // A git repository of this checkout, tagged, stands for Nozzle's published one.
        let work = Paths.temporaryDirectory()
        let repository = work.appending(path: "nozzle.git")
        let cloned = try RunningProcess.run("/usr/bin/git", ["clone", "--quiet", "--bare", Paths.root.path, repository.path], in: work, timeout: 120)
        guard cloned.status == 0 else {
            // A copy of the sources that is not a git checkout cannot stand in for a published package.
            Issue.record("git clone of \(Paths.root.path) failed: \(cloned.stderr)")
            return
        }
        #expect(try RunningProcess.run("/usr/bin/git", ["--git-dir", repository.path, "tag", "1.0.0"], in: work).status == 0)
        let app = work.appending(path: "by-url")
        let made = try RunningProcess.run(
            Paths.root.appending(path: "scripts/new-app.sh").path, [app.path, "--nozzle-url", "file://\(repository.path)", "--from", "1.0.0"], in: work)
        #expect(made.status == 0, "\(made.stderr)")
        let manifest = try String(contentsOf: app.appending(path: "Package.swift"), encoding: .utf8)
        #expect(manifest.contains(#".package(url: "file://\#(repository.path)", from: "1.0.0")"#))
        #expect(manifest.contains(#".product(name: "NozzleFastCGI", package: "nozzle")"#))
        let resolved = try swift(["package", "resolve"], in: app)
        #expect(resolved.ok, "\(resolved.output)")
        #expect(FileManager.default.fileExists(atPath: app.appending(path: ".build/checkouts/nozzle/Package.swift").path))
    }

    @Test func watchModeServesEachSaveWithinItsBuildTimeAndDropsNoRequest() throws {
        let app = try Self.app.get()
        let api = app.appending(path: "Sources/todo-app/api")
        let hello = api.appending(path: "hello.swift")
        let original = try String(contentsOf: hello, encoding: .utf8)
        defer {
            try? original.write(to: hello, atomically: true, encoding: .utf8)
            for folder in ["todos", "lists"] { try? FileManager.default.removeItem(at: api.appending(path: folder)) }
        }
        _ = try swift(["build"], in: app)
        let port = Paths.freePort()
        let watch = try RunningProcess(Paths.root.appending(path: "nginx/run.sh").path, [app.path, String(port), "--watch"], in: app)
        defer {
            watch.signal(SIGTERM)
            _ = watch.waitForExit(timeout: 10)
        }
        guard eventually(timeout: 300, { watch.stdout.contains("watch: watching") }) else {
            Issue.record("watch mode did not start: \(watch.stdout)\(watch.stderr)")
            return
        }
        let url = "http://127.0.0.1:\(port)/api/hello"
        func get(_ path: String = "/api/hello") -> HTTPResult? { try? HTTP.request("GET", "http://127.0.0.1:\(port)\(path)", in: app) }
        #expect(get()?.json == ["message": "Hello, World!"])

        // Continuous requests, 50 a second over kept-alive connections, each status on its own line.
        let urls = app.appending(path: ".build/load-urls")
        try String(repeating: "url = \"\(url)\"\noutput = \"/dev/null\"\n", count: 30_000).write(to: urls, atomically: true, encoding: .utf8)
        let load = try RunningProcess("/usr/bin/curl", ["-s", "--rate", "50/s", "--max-time", "10", "-w", "%{stderr}%{http_code}\\n", "--config", urls.path], in: app)

        var figures: [String] = []
        func save(_ relative: String, _ text: String) throws {
            let file = api.appending(path: relative)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        /// Saves, waits until `path` answers `expected`, and holds that to the build time plus 1 s.
        func edit(_ number: Int, _ relative: String, _ text: String, path: String, expected: String) throws {
            let builds = watch.stdout.components(separatedBy: "watch: built in").count
            try save(relative, text)
            let saved = Date()
            guard eventually(timeout: 300, { get(path)?.body.contains(expected) == true }) else {
                Issue.record("edit \(number) was never served: \(watch.stdout.suffix(2000))\(watch.stderr.suffix(2000))")
                return
            }
            let served = Date().timeIntervalSince(saved)
            guard eventually(timeout: 10, { watch.stdout.components(separatedBy: "watch: built in").count > builds }) else { return }
            let report = watch.stdout.components(separatedBy: "watch: built in").last ?? ""
            let built = Double(report.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber || $0 == "." }) ?? 0
            #expect(served <= built + 1.0, "edit \(number): served \(served) s after the save, built in \(built) s")
            figures.append("edit \(number): built in \(built) s, served \(String(format: "%.2f", served)) s after the save")
        }

        try edit(1, "hello.swift", original.replacingOccurrences(of: "\"Hello, ", with: "\"Hi, "), path: "/api/hello", expected: "Hi, World!")
        // New route files, two with one base name, are picked up.
        try save("lists/index.swift", "import Nozzle\n\nenum Lists: APIRoute {\n    static func GET(_ req: Request, _ res: Response) { res.json([\"lists\": []]) }\n}\n")
        try edit(2, "todos/index.swift", "import Nozzle\n\nenum Todos: APIRoute {\n    static func GET(_ req: Request, _ res: Response) { res.json([\"todos\": []]) }\n}\n", path: "/api/todos", expected: "todos")
        #expect(get("/api/lists")?.json == ["lists": []])

        // A build that fails names the file under api/, and the last good build keeps serving.
        let failures = watch.stderr.components(separatedBy: "the build failed").count
        try save("todos/index.swift", "import Nozzle\n\nenum Todos: APIRoute {\n    static func GET(_ req: Request, _ res: Response) { res.jsonn([\"todos\": []]) }\n}\n")
        // The errors come first, then the line that says the build failed.
        #expect(eventually(timeout: 300) { watch.stderr.components(separatedBy: "the build failed").count > failures })
        #expect(watch.stderr.contains("Sources/todo-app/api/todos/index.swift:4:"), "\(watch.stderr.suffix(3000))")
        #expect(watch.stderr.contains("has no member 'jsonn'"))
        #expect(get("/api/todos")?.json == ["todos": []])
        #expect(get()?.json == ["message": "Hi, World!"])

        try edit(3, "todos/index.swift", "import Nozzle\n\nenum Todos: APIRoute {\n    static func GET(_ req: Request, _ res: Response) { res.json([\"todos\": [\"write tests\"]]) }\n}\n", path: "/api/todos", expected: "write tests")

        load.signal(SIGTERM)
        _ = load.waitForExit(timeout: 10)
        let statuses = load.stderr.split(separator: "\n")
        #expect(statuses.count > 100, "\(load.stderr.suffix(500))")
        // The transfer cut short by stopping the client may end with 000; every answered one is a 200.
        let failed = statuses.dropLast().filter { $0 != "200" }
        #expect(failed.isEmpty, "\(Dictionary(grouping: failed, by: { $0 }).mapValues(\.count))")
        print("watch mode: \(figures.joined(separator: "; ")); \(statuses.count) requests meanwhile, \(failed.count) failed")
    }
}
