import Foundation
import Nozzle
import Testing

/// The body parser behind real nginx: limits, chunked uploads, large uploads, streaming.
@Suite(.serialized)
struct BodyThroughNginxTests {
    @Test(arguments: [false, true])
    func limitHoldsAtTheBoundary(chunked: Bool) throws {
        // Chunked uploads go through a location with fastcgi_request_buffering off: CONTENT_LENGTH is empty.
        let stack = try NginxFrontedApp(binary: "blitz", extraLocationDirectives: chunked ? " fastcgi_request_buffering off;" : "")
        let limit = 500 * 1024
        for size in [limit - 1, limit, limit + 1] {
            let upload = try stack.file(size: size)
            let result = try stack.request("POST", "/api/limited", headers: ["Content-Type: application/octet-stream"], bodyFile: upload, chunked: chunked)
            if size <= limit {
                #expect(result.status == 200)
                #expect(result.json == ["bytes": .int(size)])
            } else {
                #expect(result.status == 413)
                #expect(result.json == ["error": "Body exceeded 500kb limit"])
            }
        }
        // The connection pool is still healthy afterwards.
        #expect(try stack.get("/api/hello").status == 200)
    }

    @Test(arguments: [false, true])
    func hundredMegabytesToTheSmallRouteIs413JSONWithBoundedMemory(chunked: Bool) throws {
        let stack = try NginxFrontedApp(binary: "blitz", extraLocationDirectives: chunked ? " fastcgi_request_buffering off;" : "")
        let upload = try stack.file(size: 100_000_000)
        _ = try stack.get("/api/hello")
        let before = stack.appMemory()
        let result = try stack.request("POST", "/api/limited", headers: ["Content-Type: application/octet-stream"], bodyFile: upload, chunked: chunked)
        let after = stack.appMemory()
        #expect(result.status == 413)
        #expect(result.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(result.json == ["error": "Body exceeded 500kb limit"])
        // Bytes past the limit are never buffered: the peak grows by far less than the upload.
        #expect(after.peak - before.peak < 4_096, "peak RSS grew from \(before.peak) kB to \(after.peak) kB")
        print("100 MB upload (\(chunked ? "chunked" : "buffered")) to a 500kb route: peak RSS \(before.peak) kB → \(after.peak) kB, answered in \(result.totalTime) s")
        #expect(try stack.get("/api/hello").status == 200)
    }

    @Test func streamingRouteTakesAnySize() throws {
        let stack = try NginxFrontedApp(binary: "blitz", extraLocationDirectives: " fastcgi_request_buffering off;")
        let upload = try stack.file(size: 30_000_000)
        let before = stack.appMemory()
        let result = try stack.request("POST", "/api/stream", headers: ["Content-Type: application/octet-stream"], bodyFile: upload, chunked: true)
        #expect(result.json == ["bytes": 30_000_000])
        #expect(stack.appMemory().peak - before.peak < 4_096)
    }

    @Test func echoParsesEachContentType() throws {
        let stack = try NginxFrontedApp(binary: "blitz")
        let json = try stack.request("POST", "/api/echo", headers: ["Content-Type: application/json"], body: #"{"a":[1,{"b":null}]}"#)
        #expect(json.json == ["type": "json", "body": ["a": [1, ["b": nil]]]])
        let form = try stack.request("POST", "/api/echo", headers: ["Content-Type: application/x-www-form-urlencoded"], body: "x=1&x=2&y=%F0%9F%98%80")
        #expect(form.json == ["type": "form", "body": ["x": ["1", "2"], "y": "😀"]])
        let text = try stack.request("POST", "/api/echo", headers: ["Content-Type: text/plain; charset=utf-8"], body: "héllo")
        #expect(text.json == ["type": "text", "body": "héllo"])
        let upload = try stack.file(size: 1000, name: "notes.txt")
        let multipart = try stack.request("POST", "/api/echo", extra: ["-F", "name=Ada", "-F", "file=@\(upload.path);type=text/plain"])
        #expect(multipart.json == ["type": "multipart", "body": [
            "fields": ["name": "Ada"],
            "files": [["field": "file", "filename": "notes.txt", "contentType": "text/plain", "size": 1000]],
        ]])
        let bytes = try stack.request("POST", "/api/echo", headers: ["Content-Type: application/octet-stream"], body: "hi")
        #expect(bytes.json == ["type": "bytes", "body": "aGk="])
        let invalid = try stack.request("POST", "/api/echo", headers: ["Content-Type: application/json"], body: "{nope")
        #expect(invalid.status == 400)
        #expect(invalid.json?["error"] == "Invalid JSON")
    }

    @Test func corsThroughNginx() throws {
        let stack = try NginxFrontedApp(binary: "blitz")
        let simple = try stack.get("/api/cors", headers: ["Origin: https://a.example"])
        #expect(simple.json == ["message": "Hello Everyone!"])
        #expect(simple.headers["Access-Control-Allow-Origin"] == "*")
        let preflight = try stack.request("OPTIONS", "/api/cors", headers: ["Origin: https://a.example", "Access-Control-Request-Method: GET"])
        #expect(preflight.status == 204)
        #expect(preflight.headers["Access-Control-Allow-Methods"] == "GET,HEAD")
    }
}
