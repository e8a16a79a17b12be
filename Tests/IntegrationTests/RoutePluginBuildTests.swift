import Foundation
import Testing

/// Builds a small app package that depends on Nozzle by path, the way a user's package does, and
/// changes its `api/` folder between builds.
@Suite(.serialized)
struct RoutePluginBuildTests {
    let package = Paths.temporaryDirectory()

    var api: URL { package.appending(path: "Sources/app/api") }

    func write(_ relative: String, _ text: String) throws {
        let url = api.appending(path: relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func remove(_ relative: String) throws { try FileManager.default.removeItem(at: api.appending(path: relative)) }

    func route(_ type: String, _ methods: [String] = ["GET"]) -> String {
        "import Nozzle\n\nenum \(type): APIRoute {\n"
            + methods.map { "    static func \($0)(_ req: Request, _ res: Response) { res.send(\"\(type)\") }\n" }.joined()
            + "}\n"
    }

    func build() throws -> (ok: Bool, output: String) {
        let result = try RunningProcess.run("/usr/bin/env", ["swift", "build", "--package-path", package.path], in: package, timeout: 900)
        return (result.status == 0, result.stdout + result.stderr)
    }

    func routes() throws -> String {
        try RunningProcess.run(package.appending(path: ".build/debug/app").path, ["routes"], in: package).stdout
    }

    init() throws {
        let identity = Paths.root.lastPathComponent.lowercased()
        try """
            // swift-tools-version:6.1
            import PackageDescription

            let package = Package(
                name: "Fixture",
                dependencies: [.package(path: "\(Paths.root.path)")],
                targets: [
                    .executableTarget(
                        name: "app",
                        dependencies: [.product(name: "NozzleFastCGI", package: "\(identity)")],
                        exclude: ["api"],
                        plugins: [.plugin(name: "NozzleRoutes", package: "\(identity)")]
                    )
                ]
            )
            """.write(to: package.appending(path: "Package.swift"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: package.appending(path: "Sources/app"), withIntermediateDirectories: true)
        try "import NozzleFastCGI\n\nApp(routes: .generated).main()\n"
            .write(to: package.appending(path: "Sources/app/main.swift"), atomically: true, encoding: .utf8)
    }

    @Test func buildErrorsNameTheFilesAndChangesRebuildTheTable() throws {
        // Same base names in different folders build fine.
        try write("hello.swift", route("Hello"))
        try write("users/index.swift", route("UserList"))
        try write("posts/index.swift", route("PostList"))
        try write("users/[id].swift", route("UserByID", ["GET", "DELETE"]))
        try write("posts/[id].swift", route("PostByID"))
        let first = try build()
        #expect(first.ok, "\(first.output)")
        // And with no warnings: not even about the two index.swift files' '#fileID'.
        #expect(!first.output.contains("warning:"), "\(first.output)")
        let table = try routes()
        #expect(table.contains("/api/users/[id]  GET,HEAD,DELETE  api/users/[id].swift"))
        #expect(table.contains("/api/posts       GET,HEAD         api/posts/index.swift"))

        // Every clash fails the build, naming its files.
        try write("users.swift", route("UsersAgain"))
        try write("posts/[slug]/comments.swift", route("Comments"))
        try write("files/[...path].swift", route("Files"))
        try write("files/[[...path]].swift", route("MaybeFiles"))
        try write("bad/[a-b].swift", route("Bad"))
        try write("empty.swift", "import Nozzle\n")
        try write("[...rest]/more.swift", route("More"))
        // Handlers the route table could not call are errors at their line, not routes that answer 405.
        try write("hidden.swift", "import Nozzle\n\nenum Hidden: APIRoute {\n    private static func GET(_ req: Request, _ res: Response) {}\n}\n")
        try write("conditional.swift", "import Nozzle\n\nenum Conditional: APIRoute {\n    #if DEBUG\n    static func GET(_ req: Request, _ res: Response) {}\n    #endif\n}\n")
        let clashes = try build()
        #expect(!clashes.ok)
        #expect(clashes.output.contains("two files for one URL /api/users: api/users.swift and api/users/index.swift"))
        #expect(clashes.output.contains("different param names at one position: '[id]' in api/posts/[id].swift and '[slug]' in api/posts/[slug]/comments.swift"))
        #expect(clashes.output.contains("'[...path]' in api/files/[...path].swift and '[[...path]]' in api/files/[[...path]].swift are a catch-all and an optional catch-all at one level"))
        #expect(clashes.output.contains("api/bad/[a-b].swift:1:1: error: invalid segment name '[a-b]'"))
        #expect(clashes.output.contains("api/empty.swift:1:1: error: no route type"))
        #expect(clashes.output.contains("api/[...rest]/more.swift:1:1: error: catch-all segment '[...rest]' must be the last part of the path"))
        #expect(clashes.output.contains("api/hidden.swift:4:1: error: Hidden.GET is private: the route table calls it from another file"), "\(clashes.output)")
        #expect(clashes.output.contains("api/conditional.swift:5:1: error: Conditional.GET is declared under #if"), "\(clashes.output)")
        for file in ["users.swift", "posts/[slug]/comments.swift", "files/[[...path]].swift", "bad/[a-b].swift", "empty.swift", "[...rest]/more.swift", "hidden.swift", "conditional.swift"] {
            try remove(file)
        }

        // A compiler error inside a route file points at the file under api/, not at a copy.
        try write("broken.swift", "import Nozzle\n\nenum Broken: APIRoute {\n    static func GET(_ req: Request, _ res: Response) { let x: Int = \"s\"; res.send(\"\\(x)\") }\n}\n")
        let broken = try build()
        #expect(!broken.ok)
        #expect(broken.output.contains("Sources/app/api/broken.swift:4:"))
        try remove("broken.swift")
        // In a file whose name another route file shares, the error names the file through a link
        // of its own (api/users/index.swift as users+index.swift), which opens the real file.
        try write("users/index.swift", "import Nozzle\n\nenum UserList: APIRoute {\n    static func GET(_ req: Request, _ res: Response) { res.sendd(\"x\") }\n}\n")
        let brokenIndex = try build()
        #expect(!brokenIndex.ok)
        #expect(brokenIndex.output.contains("route-files/users+index.swift:4:"), "\(brokenIndex.output)")
        try write("users/index.swift", route("UserList"))

        // The params a file name gives are typed: a misspelled one is a compile error in the file.
        try write("tags/[tag].swift", "import Nozzle\n\nenum Tag: APIRoute {\n    static func GET(_ req: Request, _ res: Response) { res.send(params(req).tga) }\n}\n")
        let misspelled = try build()
        #expect(!misspelled.ok)
        #expect(misspelled.output.contains("Sources/app/api/tags/[tag].swift:4:"), "\(misspelled.output)")
        #expect(misspelled.output.contains("has no member 'tga'"), "\(misspelled.output)")
        try write("tags/[tag].swift", "import Nozzle\n\nenum Tag: APIRoute {\n    static func GET(_ req: Request, _ res: Response) { res.send(params(req).tag) }\n}\n")

        // Handlers with any modifiers, in an extension of the route type, beside raw strings that
        // hold declarations, are found and called.
        try write("modifiers.swift", #"""
            import Nozzle

            public enum Modifiers: APIRoute {
                static let note = #"static func DELETE(_ req: Request, _ res: Response) {} "quoted" "#
                @Sendable static public func GET(_ req: Request, _ res: Response) { res.send("GET \(note.count)") }
            }

            extension Modifiers {
                nonisolated static func POST(_ req: Request, _ res: Response) { res.status(201).send("POST from an extension") }
            }
            """#)
        // Renaming, adding and editing a file show up in the next build's table.
        try remove("hello.swift")
        try write("greeting.swift", route("Hello", ["GET", "POST"]))
        let rebuilt = try build()
        #expect(rebuilt.ok, "\(rebuilt.output)")
        let after = try routes()
        #expect(!after.contains("/api/hello"))
        #expect(after.contains("/api/greeting"))
        #expect(after.contains("GET,HEAD,POST"))
        #expect(after.contains("/api/files/[...path]"))
        let tag = try RunningProcess.run(package.appending(path: ".build/debug/app").path, ["call", "GET", "/api/tags/swift"], in: package)
        #expect(tag.stdout.hasPrefix("HTTP/1.1 200 OK"), "\(tag.stdout)")
        #expect(tag.stdout.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("\nswift"), "\(tag.stdout)")
        #expect(!rebuilt.output.contains("warning:"), "\(rebuilt.output)")
        #expect(after.contains("/api/modifiers"))
        let viaExtension = try RunningProcess.run(package.appending(path: ".build/debug/app").path, ["call", "POST", "/api/modifiers"], in: package)
        #expect(viaExtension.stdout.hasPrefix("HTTP/1.1 201 Created"), "\(viaExtension.stdout)")
        #expect(viaExtension.stdout.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("\nPOST from an extension"), "\(viaExtension.stdout)")
        let delete = try RunningProcess.run(package.appending(path: ".build/debug/app").path, ["call", "DELETE", "/api/modifiers"], in: package)
        #expect(delete.stdout.hasPrefix("HTTP/1.1 405"), "\(delete.stdout)")
    }
}
