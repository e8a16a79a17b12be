import Foundation
import Nozzle
import NozzleTesting
import Testing

/// `--log-format`, `--access-log`, `--log-file` and SIGUSR1.
@Suite(.serialized)
struct LoggingTests {
    func request(_ path: String, on socket: String) throws -> Int? {
        try FastCGISocket.connect(unix: socket).send(params: [("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", path)]).response.status
    }

    @Test func jsonLinesWithAnAccessLog() throws {
        let directory = Paths.temporaryDirectory()
        let socket = directory.appending(path: "app.sock").path
        let app = try RunningProcess(Paths.binary("fixture-app"), ["--listen", "unix:\(socket)", "--log-format", "json", "--access-log"], in: directory)
        #expect(eventually { (try? request("/api/env", on: socket)) == 200 })
        #expect(try request("/api/boom", on: socket) == 500)
        #expect(eventually { app.stderr.components(separatedBy: "\"msg\":\"request\"").count - 1 == 2 })
        let lines = app.stderr.split(separator: "\n").map { try? JSON(parsing: String($0)) }
        // Every line is a JSON object with a time and a level.
        #expect(lines.allSatisfy { $0?["time"] != nil && $0?["level"] != nil })
        let access = lines.compactMap { $0 }.filter { $0["msg"] == "request" }
        let boom = try #require(access.first { $0["path"] == "/api/boom" })
        #expect(boom["status"] == "500")
        #expect(boom["method"] == "GET")
        #expect(boom["bytes"] == "33")
        #expect(Double(boom["duration_ms"]?.stringValue ?? "") != nil)
        let error = try #require(lines.compactMap { $0 }.first { $0["level"] == "error" })
        #expect(error["id"] == boom["id"])
        #expect(error["msg"]?.stringValue?.contains("Explosion") == true)
    }

    @Test func logFileIsReopenedOnSIGUSR1() throws {
        let directory = Paths.temporaryDirectory()
        let socket = directory.appending(path: "app.sock").path
        let log = directory.appending(path: "app.log").path
        let app = try RunningProcess(Paths.binary("fixture-app"), ["--listen", "unix:\(socket)", "--processes", "1", "--access-log", "--log-file", log], in: directory)
        #expect(eventually { (try? request("/api/env", on: socket)) == 200 })
        #expect(eventually { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("path=/api/env status=200") })
        // logrotate moves the file, then signals.
        #expect(rename(log, log + ".1") == 0)
        app.signal(SIGUSR1)
        #expect(eventually { FileManager.default.fileExists(atPath: log) })
        #expect(try request("/api/version", on: socket) == 200)
        #expect(eventually { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("path=/api/version status=200") })
        let rotated = try String(contentsOfFile: log + ".1", encoding: .utf8)
        #expect(rotated.contains("path=/api/env status=200"))
        #expect(!rotated.contains("/api/version"))
        // Nothing went to stderr: the supervisor writes the workers' lines to the file too.
        #expect(!app.stderr.contains("status=200"))
    }

    @Test func badLogFormatIsAStartError() throws {
        let result = try RunningProcess.run(Paths.binary("fixture-app"), ["--listen", "127.0.0.1:1", "--log-format", "xml"], in: Paths.temporaryDirectory(), timeout: 5)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--log-format takes logfmt or json, not 'xml'"))
    }
}
