import Foundation
import Nozzle
import NozzleTesting
import Testing

/// The shipped deployment files, used as a server would use them.
@Suite(.serialized)
struct DeploymentTests {
    let units = Paths.root.appending(path: "deploy/systemd")

    /// The unit files with their paths pointed at this test's directory and binary.
    func localUnits(in directory: URL) throws -> (socket: String, service: String) {
        let socket = try String(contentsOf: units.appending(path: "nozzle-app.socket"), encoding: .utf8)
            .replacingOccurrences(of: "/run/nozzle/app.sock", with: directory.appending(path: "app.sock").path)
        let service = try String(contentsOf: units.appending(path: "nozzle-app.service"), encoding: .utf8)
            .replacingOccurrences(of: "/opt/nozzle-app/app", with: Paths.binary("fixture-app"))
            .replacingOccurrences(of: "/opt/nozzle-app", with: directory.path)
        return (socket, service)
    }

    @Test func systemdUnitsVerify() throws {
        let directory = Paths.temporaryDirectory()
        let (socket, service) = try localUnits(in: directory)
        try socket.write(to: directory.appending(path: "nozzle-app.socket"), atomically: true, encoding: .utf8)
        try service.write(to: directory.appending(path: "nozzle-app.service"), atomically: true, encoding: .utf8)
        let result = try RunningProcess.run(
            "/usr/bin/systemd-analyze",
            ["verify", directory.appending(path: "nozzle-app.socket").path, directory.appending(path: "nozzle-app.service").path],
            in: directory)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func serviceStartsFromItsSocketAsSystemdStartsIt() throws {
        let directory = Paths.temporaryDirectory()
        let (socketUnit, serviceUnit) = try localUnits(in: directory)
        let listen = try #require(socketUnit.split(separator: "\n").first { $0.hasPrefix("ListenStream=") }).dropFirst("ListenStream=".count)
        let command = try #require(serviceUnit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") }).dropFirst("ExecStart=".count)
            .split(separator: " ").map(String.init)
        // systemd-socket-activate does what the socket unit does: it listens, and on the first
        // connection starts the service with the socket on fd 3 and LISTEN_FDS/LISTEN_PID set.
        let app = try RunningProcess("/usr/bin/systemd-socket-activate", ["-l", String(listen), "--"] + command, in: directory)
        var answer: FastCGIWireClient.Answer?
        #expect(eventually {
            answer = try? FastCGISocket.connect(unix: String(listen)).send(params: [("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", "/api/env")])
            return answer != nil
        })
        #expect(answer?.response.status == 200)
        #expect(eventually { app.stderr.contains("fd 3 (systemd)") || app.stderr.contains("starting 2 worker processes") })
        app.signal(SIGTERM)
        #expect(app.waitForExit(timeout: 15) == 0)
    }

    @Test func spawnFCGIWithMultiwatchRunsSeveralProcessesOnOneSocket() throws {
        let directory = Paths.temporaryDirectory()
        let socket = directory.appending(path: "app.sock").path
        // The README's command line, with -n to stay in the foreground.
        let multiwatch = try RunningProcess("/usr/bin/spawn-fcgi", ["-n", "-s", socket, "-M", "0666", "--", "/usr/bin/multiwatch", "-f", "2", "-s", "TERM", "--", Paths.binary("fixture-app")], in: directory)
        var pids = Set<JSON>()
        #expect(eventually {
            let answer = try? FastCGISocket.connect(unix: socket).send(params: [("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", "/api/version")], keepConnection: false)
            if let pid = answer?.response.json?["pid"] { pids.insert(pid) }
            return pids.count == 2
        })
        // multiwatch passes the stop on; every child finishes and exits.
        multiwatch.signal(SIGTERM)
        #expect(multiwatch.waitForExit(timeout: 15) != nil)
        #expect(multiwatch.stderr.components(separatedBy: "nozzle: stopped").count - 1 == 2)
    }

    @Test func oneOfTwoBackendsStopsUnderLoadAndGETsKeepSucceeding() throws {
        let directory = Paths.temporaryDirectory()
        let port = Paths.freePort()
        let written = try RunningProcess.run(
            "/usr/bin/env", ["SERVER_BLOCK=two-backends.conf", Paths.root.appending(path: "nginx/write-config.sh").path,
                             directory.path, String(port), directory.appending(path: "unused.sock").path],
            in: directory)
        #expect(written.status == 0)
        let backendA = try RunningProcess(Paths.binary("fixture-app"), ["--listen", "unix:\(directory.path)/app-a.sock", "--socket-mode", "0666"], in: directory)
        let backendB = try RunningProcess(Paths.binary("fixture-app"), ["--listen", "unix:\(directory.path)/app-b.sock", "--socket-mode", "0666"], in: directory)
        let nginx = try RunningProcess("/usr/sbin/nginx", [
            "-p", directory.path, "-c", directory.appending(path: "nginx.conf").path,
            "-e", directory.appending(path: "logs/error.log").path, "-g", "daemon off;",
        ], in: directory)
        defer {
            nginx.signal(SIGQUIT)
            _ = nginx.waitForExit(timeout: 5)
        }
        let url = "http://127.0.0.1:\(port)/api/version"
        var pids = Set<JSON>()
        #expect(eventually {
            if let pid = (try? HTTP.request("GET", url, in: directory))?.json?["pid"] { pids.insert(pid) }
            return pids.count == 2
        })
        let load = try Load(url: url, connections: 32, seconds: 4, in: directory)
        usleep(1_500_000)
        backendA.signal(SIGTERM)
        let result = load.finish()
        #expect(backendA.waitForExit(timeout: 10) == 0)
        #expect(result.failed == 0, "\(result.output)")
        #expect(result.requests > 1000)
        let after = try HTTP.request("GET", url, in: directory)
        #expect(after.status == 200)
        #expect(after.json?["pid"] == .int(Int(backendB.pid)))
        print("two backends: \(result.requests) GETs under load, backend A stopped after 1.5 s, \(result.failed) failed")
    }
}
