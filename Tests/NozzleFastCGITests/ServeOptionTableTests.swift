import Foundation
@testable import NozzleFastCGI
import Testing

/// One option table behind parsing, `--help`, the worker processes' arguments and the README.
struct ServeOptionTableTests {
    @Test func everyOptionHasOneEntryAndIsInTheHelp() {
        let names = ServeOptions.table.flatMap(\.names)
        #expect(Set(names).count == names.count, "an option is listed twice")
        let usage = Usage.text(program: "app")
        for option in ServeOptions.table {
            #expect(usage.contains("  " + option.names.joined(separator: ", ")), "\(option.name) is not in --help")
        }
        // Long help lines wrap under the column, never past 100 characters.
        #expect(usage.split(separator: "\n").allSatisfy { $0.count <= 100 })
    }

    @Test func everyOptionIsInTheREADME() throws {
        let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appending(path: "README.md"), encoding: .utf8)
        for option in ServeOptions.table where option.name != "--help" {
            #expect(readme.contains("`\(option.name)"), "the README does not describe \(option.name)")
        }
    }

    @Test func workersGetEverythingButWhatOnlyTheSupervisorReads() {
        let arguments = [
            "--listen", "unix:/run/app.sock", "--socket-mode=0660", "--workers", "8", "--processes", "4", "--user", "www-data",
            "--log-file", "/var/log/app.log", "--access-log", "--max-requests=100", "--group", "www-data", "--socket-owner", "a:b",
        ]
        #expect(ServeOptions.workerArguments(from: arguments) == ["--workers", "8", "--access-log", "--max-requests=100"])
    }

    @Test func valuesComeAfterTheOptionOrAfterAnEqualsSign() throws {
        let spaced = try ServeOptions(arguments: ["serve", "--workers", "3", "--dev", "--base-path", "/app"])
        let joined = try ServeOptions(arguments: ["--workers=3", "--dev", "--base-path=/app"])
        #expect(spaced.workers == 3 && joined.workers == 3)
        #expect(spaced.development && joined.development)
        #expect(spaced.basePath == "/app" && joined.basePath == "/app")
        #expect(try ServeOptions(arguments: ["-h"]).command == .help)
        #expect(spaced.mallocArenas == ServeOptions.defaultMallocArenas)
        #expect(try ServeOptions(arguments: ["--malloc-arenas", "0"]).mallocArenas == 0)
    }

    @Test(arguments: [
        (["--workers"], "--workers needs a value"),
        (["--nope"], "unknown option '--nope'"),
        (["--workers", "0"], "--workers takes a number from 1 to 4096, not '0'"),
        (["--shutdown-timeout", "soon"], "--shutdown-timeout takes seconds, not 'soon'"),
        (["--malloc-arenas", "-1"], "--malloc-arenas takes a number from 0 to 1024, not '-1'"),
        (["--malloc-arenas", "two"], "--malloc-arenas takes a number from 0 to 1024, not 'two'"),
        (["launch"], "unknown command 'launch'"),
    ])
    func clearErrors(arguments: [String], message: String) {
        do {
            _ = try ServeOptions(arguments: arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            #expect(error.description == message)
        }
    }
}
