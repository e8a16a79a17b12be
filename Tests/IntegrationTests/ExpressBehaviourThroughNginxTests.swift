import Foundation
import Nozzle
import NozzleTesting
import Testing

/// The Express and Next.js behaviours that nginx could change on the way: 304 and HEAD, compressed
/// bodies, 205, and statuses out of range.
@Suite(.serialized)
struct ExpressBehaviourThroughNginxTests {
    static let tag = #"W/"3-f1UKn0xEFzo3Zk2TjxNV8PkqR6c""#

    @Test func conditionalRequestsGet304() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app")
        let plain = try stack.get("/api/etag")
        #expect(plain.status == 200)
        #expect(plain.headers["ETag"] == Self.tag)
        #expect(plain.body == "hey")
        let cached = try stack.get("/api/etag", headers: ["If-None-Match: \(Self.tag)"])
        #expect(cached.status == 304)
        #expect(cached.body.isEmpty)
        #expect(cached.headers["ETag"] == Self.tag)
        let changed = try stack.get("/api/etag", headers: [#"If-None-Match: "old""#])
        #expect(changed.status == 200)
        #expect(changed.body == "hey")
        let head = try stack.request("HEAD", "/api/etag")
        #expect(head.status == 200)
        #expect(head.headers["ETag"] == Self.tag)
        #expect(head.headers["Content-Length"] == "3")
        let headCached = try stack.request("HEAD", "/api/etag", headers: ["If-None-Match: \(Self.tag)"])
        #expect(headCached.status == 304)
    }

    @Test func compressedBodiesAreInflated() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app")
        let json = Data(#"{"name":"Ada"}"#.utf8)
        let plain = stack.directory.appending(path: "body.json")
        try json.write(to: plain)
        // gzip from the gzip command; brotli as fixed bytes (14 bytes that inflate to 4 MiB of zeros below).
        #expect(try RunningProcess.run("/bin/gzip", ["-k", "-9", plain.path], in: stack.directory).status == 0)
        let gzipped = stack.directory.appending(path: "body.json.gz")
        let gzip = try stack.request("POST", "/api/echo", headers: ["Content-Type: application/json", "Content-Encoding: gzip"], bodyFile: gzipped)
        #expect(gzip.status == 200)
        #expect(gzip.json?["body"] == ["name": "Ada"])
        // Chunked through fastcgi_request_buffering off too.
        let streamed = try NginxFrontedApp(binary: "fixture-app", extraLocationDirectives: " fastcgi_request_buffering off;")
        let chunked = try streamed.request("POST", "/api/echo", headers: ["Content-Type: application/json", "Content-Encoding: GZIP"], bodyFile: gzipped, chunked: true)
        #expect(chunked.json?["body"] == ["name": "Ada"])
        // A bomb: 14 bytes of brotli for 4 MiB of zeros, against a 1mb limit.
        let bomb = stack.directory.appending(path: "bomb.br")
        try Data([155, 255, 255, 63, 248, 39, 0, 226, 177, 64, 32, 247, 254, 7]).write(to: bomb)
        let refused = try stack.request("POST", "/api/echo", headers: ["Content-Type: application/octet-stream", "Content-Encoding: br"], bodyFile: bomb)
        #expect(refused.status == 413)
        #expect(refused.json == ["error": "Body exceeded 1mb limit"])
        let broken = try stack.request("POST", "/api/echo", headers: ["Content-Type: application/json", "Content-Encoding: gzip"], body: "not gzip")
        #expect(broken.status == 400)
        #expect(broken.json?["error"] == "Invalid compressed body")
        let unknown = try stack.request("POST", "/api/echo", headers: ["Content-Type: application/json", "Content-Encoding: zstd"], body: "{}")
        #expect(unknown.status == 415)
        #expect(try stack.get("/api/env").status == 200)
    }

    @Test func emptyJSONBodiesAreEmptyObjects() throws {
        for buffering in ["", " fastcgi_request_buffering off;"] {
            let stack = try NginxFrontedApp(binary: "fixture-app", extraLocationDirectives: buffering)
            let empty = try stack.request("POST", "/api/echo", headers: ["Content-Type: application/json"], body: "")
            #expect(empty.json == ["type": "json", "body": [:]], "\(empty.body)")
            let chunked = try stack.request("POST", "/api/echo", headers: ["Content-Type: application/json"], body: "", chunked: true)
            #expect(chunked.json == ["type": "json", "body": [:]], "\(chunked.body)")
        }
    }

    @Test func statusesAreValidatedAnd205IsEmpty() throws {
        let stack = try NginxFrontedApp(binary: "fixture-app")
        let reset = try stack.get("/api/status?code=205")
        #expect(reset.status == 205)
        #expect(reset.body.isEmpty)
        #expect(reset.headers["Content-Length"] == "0")
        for code in [1000, 99, 12345] {
            let invalid = try stack.get("/api/status?code=\(code)")
            // The app's 500, never an invalid status line that nginx would turn into a 502.
            #expect(invalid.status == 500, "code \(code)")
            #expect(invalid.json == ["error": "Internal server error"])
        }
        #expect(stack.app.map { $0.stderr.contains("res.status(1000): a status code must be from 100 to 999") } == true)
        #expect(try stack.get("/api/status?code=599").status == 599)
    }
}
