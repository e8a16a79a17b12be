import Foundation
import Nozzle
import NozzleFastCGI
import NozzleTesting
import Testing

/// Each way the same binary can start.
@Suite(.serialized)
struct StartModeTests {
    let fixture = Paths.binary("fixture-app")

    let get: [(String, String)] = [("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", "/api/env"), ("REQUEST_URI", "/api/env"), ("QUERY_STRING", "")]

    @Test func spawnFCGIHandsTheSocketOnFDZero() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app", viaSpawnFCGI: true)
        let result = try stack.get("/api/env")
        #expect(result.status == 200)
        #expect(result.json?["path"] == "/api/env")
        #expect(eventually { stack.app?.stderr.contains("serving FastCGI on fd 0 (spawn-fcgi)") == true })
    }

    @Test func cgiAnswersOneRequestFromTheEnvironment() throws {
        let directory = Paths.temporaryDirectory()
        let environment = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/cgi-bin/app",
            "PATH_INFO": "/api/env", "QUERY_STRING": "a=1", "CONTENT_LENGTH": "4", "CONTENT_TYPE": "text/plain",
            "HTTP_X_FROM": "apache", "REMOTE_ADDR": "127.0.0.1",
        ]
        let result = try RunningProcess.run(fixture, [], environment: environment, input: Array("body-and-more".utf8), in: directory)
        #expect(result.status == 0)
        let response = TestResponse(cgiOutput: Array(result.stdout.utf8))
        #expect(response.status == 200)
        #expect(response.json?["path"] == "/api/env")
        #expect(response.json?["bodyBytes"] == 4)
        #expect(response.json?["headers"]?["X-From"] == "apache")
        #expect(result.stdout.hasPrefix("Status: 200 OK\r\n"))
    }

    @Test func aliasedMethodAndRouteLimitThroughCGI() throws {
        let directory = Paths.temporaryDirectory()
        // From a cgi-bin (SCRIPT_NAME is the program), and as fcgiwrap gets it (no PATH_INFO).
        for location in [["SCRIPT_NAME": "/cgi-bin/fixture-app", "PATH_INFO": "/api/items"], ["SCRIPT_NAME": "/api/items"]] {
            let environment = ["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "PUT", "CONTENT_LENGTH": "3"].merging(location) { $1 }
            let result = try RunningProcess.run(fixture, [], environment: environment, input: Array("abc".utf8), in: directory)
            let response = TestResponse(cgiOutput: Array(result.stdout.utf8))
            #expect(response.status == 201)
            #expect(response.json == ["method": "PUT", "bytes": 3])
        }
        // Columns are padded to the widest cell; compare with runs of spaces collapsed.
        let table = try RunningProcess.run(fixture, ["routes"], in: directory).stdout
            .split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(table.contains("/api/items POST,PUT api/items.swift 500kb"))
    }

    @Test func startedByHandItPrintsUsageAndExits2() throws {
        let directory = Paths.temporaryDirectory()
        let result = try RunningProcess.run(fixture, [], environment: ["PATH": "/usr/bin:/bin"], in: directory, timeout: 5)
        #expect(result.status == 2)
        #expect(result.stderr.contains("Usage: fixture-app"))
        #expect(result.stderr.contains("spawn-fcgi"))
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func listensOnTCP(host: String) throws {
        let directory = Paths.temporaryDirectory()
        let port = Paths.freePort()
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let app = try RunningProcess(fixture, ["--listen", address], in: directory)
        var client: FastCGIWireClient?
        #expect(eventually { client = try? FastCGISocket.connect(host: host, port: port); return client != nil })
        let answer = try #require(client).send(params: get)
        #expect(answer.response.status == 200)

        // A second server on the same address fails clearly.
        let second = try RunningProcess.run(fixture, ["--listen", address], in: directory, timeout: 5)
        #expect(second.status == 1)
        #expect(second.stderr.contains("address already in use"))
        _ = app
    }

    @Test(arguments: [
        ("127.0.0.1", ["--allow", "10.0.0.0/8"], [String: String](), false),
        ("::1", ["--allow", "127.0.0.1,10.0.0.0/8"], [:], false),
        ("::1", ["--allow", "fd00::/8, ::1"], [:], true),
        ("::1", [], [:], true),
        ("127.0.0.1", ["--allow", "10.0.0.0/8"], ["FCGI_WEB_SERVER_ADDRS": "127.0.0.1"], true),
        ("::1", ["--allow", "10.0.0.0/8"], ["FCGI_WEB_SERVER_ADDRS": "10.1.1.1,::1"], true),
    ])
    func allowListGuardsTCPListeners(host: String, arguments: [String], environment: [String: String], allowed: Bool) throws {
        let directory = Paths.temporaryDirectory()
        let port = Paths.freePort()
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { $1 }
        let app = try RunningProcess(fixture, ["--listen", address] + arguments, environment: variables, in: directory)
        var client: FastCGIWireClient?
        #expect(eventually { client = try? FastCGISocket.connect(host: host, port: port); return client != nil })
        let answer = try? #require(client).send(params: get)
        if allowed {
            #expect(answer?.response.status == 200)
        } else {
            #expect(answer == nil)
            #expect(eventually { app.stderr.contains("refused a connection from \(host): not in --allow or FCGI_WEB_SERVER_ADDRS") })
        }
    }

    @Test func badAllowEntryIsAStartError() throws {
        let result = try RunningProcess.run(fixture, ["--listen", "127.0.0.1:1", "--allow", "10.0.0.0/99"], in: Paths.temporaryDirectory(), timeout: 5)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--allow: '10.0.0.0/99' is not an address or a CIDR range"))
    }

    @Test func listensOnAUnixSocketWithItsMode() throws {
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "app.sock").path
        let app = try RunningProcess(fixture, ["--listen", "unix:\(path)", "--socket-mode", "0660"], in: directory)
        #expect(eventually { FileManager.default.fileExists(atPath: path) })
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o660)
        var client: FastCGIWireClient?
        #expect(eventually { client = try? FastCGISocket.connect(unix: path); return client != nil })
        #expect(try #require(client).send(params: get).response.status == 200)

        // A live server's socket is never taken over.
        let second = try RunningProcess.run(fixture, ["--listen", "unix:\(path)"], in: directory, timeout: 5)
        #expect(second.status == 1)
        #expect(second.stderr.contains("a server is already listening on \(path)"))
        #expect(try FastCGISocket.connect(unix: path).send(params: get).response.status == 200)

        // After a stop, the socket file is gone.
        app.signal(SIGTERM)
        #expect(app.waitForExit(timeout: 10) == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// The worker threads run under `SCHED_BATCH` (policy 3, as `ps -L -o cls` shows `B`), and
    /// under the inherited policy with `--scheduling normal`; the other threads keep theirs.
    @Test(arguments: [("batch", 3), ("normal", 0)])
    func workerThreadsAreScheduledAsAsked(scheduling: String, batchThreads: Int) throws {
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "app.sock").path
        let app = try RunningProcess(fixture, ["--listen", "unix:\(path)", "--workers", "3", "--scheduling", scheduling], in: directory)
        var client: FastCGIWireClient?
        #expect(eventually { client = try? FastCGISocket.connect(unix: path); return client != nil })
        #expect(try #require(client).send(params: get).response.status == 200)
        // Each thread's policy, field 41 of its stat; the fields after the command's closing
        // parenthesis start at field 3. -1 for a thread that ended while it was read.
        func readPolicies() throws -> [Int] {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/\(app.pid)/task").map { task in
                guard let stat = try? String(contentsOfFile: "/proc/\(app.pid)/task/\(task)/stat", encoding: .utf8),
                    let end = stat.lastIndex(of: ")")
                else { return -1 }
                let fields = stat[stat.index(after: end)...].split(separator: " ")
                return fields.count > 38 ? Int(fields[38]) ?? -1 : -1
            }
        }
        // The worker threads start beside the first request and set their policy as they start:
        // wait until all have, rather than read the threads once.
        var policies: [Int] = []
        #expect(eventually {
            policies = (try? readPolicies()) ?? []
            return policies.count > 3 && policies.filter { $0 == 3 }.count == batchThreads
        })
        #expect(policies.filter { $0 == 3 }.count == batchThreads, "policies: \(policies)")
        #expect(policies.count > 3)
        #expect(policies.allSatisfy { $0 == 0 || $0 == 3 })
    }

    @Test func socketOwnerAndDroppedPrivileges() throws {
        // The tests run as root, as CI does; this is what a root-started service does.
        try #require(getuid() == 0)
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "app.sock").path
        let app = try RunningProcess(fixture, ["--listen", "unix:\(path)", "--socket-owner", "www-data:www-data", "--user", "nobody", "--group", "nogroup", "--processes", "1"], in: directory)
        var client: FastCGIWireClient?
        #expect(eventually { client = try? FastCGISocket.connect(unix: path); return client != nil })
        #expect(try #require(client).send(params: get).response.status == 200)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.ownerAccountID] as? Int == 33)
        #expect(attributes[.groupOwnerAccountID] as? Int == 33)
        let status = try String(contentsOfFile: "/proc/\(app.pid)/status", encoding: .utf8)
        #expect(status.contains("Uid:\t65534\t65534\t65534"))
        #expect(status.contains("Gid:\t65534\t65534\t65534"))
    }

    @Test func unknownUserIsAStartErrorThatLeavesNoSocket() throws {
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "app.sock").path
        let result = try RunningProcess.run(fixture, ["--listen", "unix:\(path)", "--user", "no-such-user-here"], in: directory, timeout: 5)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no such user 'no-such-user-here'"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func replacesAStaleSocketFile() throws {
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "stale.sock").path
        // A socket file left by a server that died: bound, never listened on, closed.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8 + [0]) }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        let app = try RunningProcess(fixture, ["--listen", "unix:\(path)"], in: directory)
        var client: FastCGIWireClient?
        #expect(eventually { client = try? FastCGISocket.connect(unix: path); return client != nil })
        #expect(try #require(client).send(params: get).response.status == 200)
        _ = app
    }

    @Test func refusesToReplaceAFileThatIsNotASocket() throws {
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "important.txt").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("keep me".utf8))
        let result = try RunningProcess.run(fixture, ["--listen", "unix:\(path)"], in: directory, timeout: 5)
        #expect(result.status == 1)
        #expect(result.stderr.contains("exists and is not a socket"))
        #expect((try? String(contentsOfFile: path, encoding: .utf8)) == "keep me")
    }

    @Test func permissionDeniedIsAClearError() throws {
        guard getuid() != 0 else {
            // Root may bind anywhere; a port under 1024 is no test there. A directory it cannot write is.
            let directory = Paths.temporaryDirectory()
            let result = try RunningProcess.run(fixture, ["--listen", "unix:/proc/nozzle.sock"], in: directory, timeout: 5)
            #expect(result.status == 1)
            #expect(result.stderr.contains("cannot listen on unix:/proc/nozzle.sock"))
            return
        }
        let directory = Paths.temporaryDirectory()
        let result = try RunningProcess.run(fixture, ["--listen", "127.0.0.1:80"], in: directory, timeout: 5)
        #expect(result.status == 1)
        #expect(result.stderr.contains("permission denied"))
    }

    @Test func systemdSocketActivationServesFD3() throws {
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "systemd.sock").path
        // As systemd does: the listening socket on fd 3, LISTEN_FDS=1, LISTEN_PID = the service's pid.
        let script = """
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(sys.argv[1]); s.listen(16)
            os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
            os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
            os.execv(sys.argv[2], [sys.argv[2]])
            """
        let app = try RunningProcess("/usr/bin/python3", ["-c", script, path, fixture], in: directory)
        var client: FastCGIWireClient?
        #expect(eventually { client = try? FastCGISocket.connect(unix: path); return client != nil })
        #expect(try #require(client).send(params: get).response.status == 200)
        #expect(eventually { app.stderr.contains("fd 3 (systemd)") })
    }

    @Test func systemdVariablesWithoutASocketAreAClearError() throws {
        let directory = Paths.temporaryDirectory()
        let script = """
            import os, sys
            os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
            os.execv(sys.argv[1], [sys.argv[1]])
            """
        let result = try RunningProcess.run("/usr/bin/python3", ["-c", script, fixture], in: directory, timeout: 5)
        #expect(result.status == 1)
        #expect(result.stderr.contains("fd 3 is not a listening socket"))
    }

    @Test func aClientThatHangsUpMidResponseHurtsNothing() throws {
        // Writing to a connection the peer closed raises SIGPIPE; it must never kill the process.
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "app.sock").path
        let app = try RunningProcess(fixture, ["--listen", "unix:\(path)", "--workers", "1"], in: directory)
        #expect(eventually { (try? FastCGISocket.connect(unix: path)) != nil })
        for _ in 0..<5 {
            let connection = try FastCGISocket.connect(unix: path)
            let big: [(String, String)] = [("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", "/api/big"), ("QUERY_STRING", "kb=20000")]
            try connection.writeAll(FastCGIRecord.begin(keepConnection: true) + FastCGIRecord.stream(.params, FastCGIRecord.pairs(big)) + FastCGIRecord.stream(.stdin, []))
            // Hang up without reading the 20 MB answer.
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        }
        usleep(300_000)
        #expect(app.process.isRunning)
        #expect(try FastCGISocket.connect(unix: path).send(params: get).response.status == 200)
    }

    @Test func sigtermLetsTheSlowRequestFinishThenExits0() throws {
        let directory = Paths.temporaryDirectory()
        let path = directory.appending(path: "app.sock").path
        let app = try RunningProcess(fixture, ["--listen", "unix:\(path)"], in: directory)
        var client: FastCGIWireClient?
        #expect(eventually { client = try? FastCGISocket.connect(unix: path); return client != nil })
        let connection = try #require(client)
        let slow: [(String, String)] = [("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", "/api/slow"), ("QUERY_STRING", "ms=1500")]
        try connection.writeAll(FastCGIRecord.begin(keepConnection: true) + FastCGIRecord.stream(.params, FastCGIRecord.pairs(slow)) + FastCGIRecord.stream(.stdin, []))
        usleep(300_000)
        let sent = Date()
        app.signal(SIGTERM)
        let answer = try connection.readAnswer()
        #expect(answer.response.status == 200)
        #expect(answer.response.json == ["slept": 1500])
        #expect(Date().timeIntervalSince(sent) > 0.9)
        #expect(app.waitForExit(timeout: 10) == 0)
        #expect(app.stderr.contains("SIGTERM: stopping"))
        // New connections are refused once it has stopped.
        #expect(throws: (any Error).self) { try FastCGISocket.connect(unix: path) }
    }
}
