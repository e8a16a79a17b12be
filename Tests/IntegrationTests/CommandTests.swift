import Foundation
import Nozzle
import NozzleTesting
import Testing

/// The app binary's developer commands.
struct CommandTests {
    let directory = Paths.temporaryDirectory()

    @Test func callAnswersInProcess() throws {
        let put = try RunningProcess.run(Paths.binary("fixture-app"), ["call", "PUT", "/api/items", "-H", "Content-Type: text/plain", "-d", "hello"], in: directory)
        #expect(put.status == 0)
        #expect(put.stdout.hasPrefix("HTTP/1.1 201 Created\n"))
        #expect(put.stdout.contains("Content-Type: application/json; charset=utf-8\n"))
        #expect(put.stdout.hasSuffix("\n\n{\"method\":\"PUT\",\"bytes\":5}\n"))

        let file = directory.appending(path: "body.json")
        try #"{"a":1}"#.write(to: file, atomically: true, encoding: .utf8)
        let fromFile = try RunningProcess.run(Paths.binary("blitz"), ["call", "POST", "/api/echo", "-H", "Content-Type: application/json", "-d", "@\(file.path)"], in: directory)
        #expect(fromFile.stdout.contains(#"{"type":"json","body":{"a":1}}"#))

        let dynamic = try RunningProcess.run(Paths.binary("blitz"), ["call", "GET", "/api/post/a%2Fb"], in: directory)
        #expect(dynamic.stdout.hasSuffix("Post: a/b\n"))
    }

    @Test func callExitCodes() throws {
        let failing = try RunningProcess.run(Paths.binary("fixture-app"), ["call", "GET", "/api/boom"], in: directory)
        #expect(failing.status == 1)
        #expect(failing.stdout.hasPrefix("HTTP/1.1 500 Internal Server Error"))
        #expect(failing.stderr.contains("Explosion"))
        let missing = try RunningProcess.run(Paths.binary("fixture-app"), ["call", "GET", "/api/none"], in: directory)
        #expect(missing.status == 0)
        #expect(missing.stdout.hasPrefix("HTTP/1.1 404 Not Found"))
        let wrong = try RunningProcess.run(Paths.binary("fixture-app"), ["call", "GET"], in: directory)
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("usage: fixture-app call METHOD PATH"))
    }

    /// The block `nginx-config` prints, checked by nginx itself.
    func nginxAccepts(_ block: String) throws -> Bool {
        try block.write(to: directory.appending(path: "server.conf"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "/etc/nginx/fastcgi_params", toPath: directory.appending(path: "fastcgi_params").path)
        try "pid \(directory.path)/nginx.pid;\nevents {}\nhttp { include \(directory.path)/server.conf; }\n"
            .write(to: directory.appending(path: "nginx.conf"), atomically: true, encoding: .utf8)
        let check = try RunningProcess.run("/usr/sbin/nginx", ["-t", "-p", directory.path, "-c", directory.appending(path: "nginx.conf").path, "-e", directory.appending(path: "error.log").path], in: directory)
        return check.status == 0
    }

    @Test func nginxConfigSizesTheBodyLimitFromTheRoutes() throws {
        let hello = try RunningProcess.run(Paths.binary("hello"), ["nginx-config", "--listen", "unix:/run/hello.sock"], in: directory).stdout
        #expect(hello.contains("server unix:/run/hello.sock;"))
        #expect(hello.contains("keepalive 64;"))
        // 1mb is hello's largest limit; nginx's sits above it.
        #expect(hello.contains("client_max_body_size 2m;"))
        #expect(try nginxAccepts(hello))

        // blitz streams a body with no limit, so nginx must not impose one.
        let blitz = try RunningProcess.run(Paths.binary("blitz"), ["nginx-config", "--listen", "127.0.0.1:9000"], in: directory).stdout
        #expect(blitz.contains("server 127.0.0.1:9000;"))
        #expect(blitz.contains("client_max_body_size 0;"))
        #expect(blitz.contains("api/stream.swift streams its body"))
    }
}
