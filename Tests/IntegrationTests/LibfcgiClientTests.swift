import Foundation
import Nozzle
import Testing

/// libfcgi's own FastCGI client, `cgi-fcgi -bind -connect` (Debian's libfcgi-bin), against the
/// app's socket: the host speaks FastCGI itself, and the C reference implementation must read its
/// records as nginx does. cgi-fcgi runs as a CGI program: the request in its environment and
/// standard input, the CGI response on its standard output.
@Suite(.serialized)
struct LibfcgiClientTests {
    struct CGIResponse {
        var status: Int
        var headers: Headers
        var body: String
    }

    /// One request through cgi-fcgi; its output split into the CGI header block and the body.
    func request(_ socket: String, in directory: URL, _ variables: [String: String], body: [UInt8] = []) throws -> CGIResponse {
        var environment = ["SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "localhost", "REMOTE_ADDR": "127.0.0.1"]
        environment.merge(variables) { $1 }
        if !body.isEmpty { environment["CONTENT_LENGTH"] = String(body.count) }
        let run = try RunningProcess.run("/usr/bin/cgi-fcgi", ["-bind", "-connect", socket], environment: environment, input: body, in: directory)
        #expect(run.status == 0, "cgi-fcgi: \(run.stderr)")
        guard let split = run.stdout.range(of: "\r\n\r\n") else { throw SetupError(what: "no CGI header block in \(run.stdout)") }
        var headers = Headers()
        var status = 200
        for line in run.stdout[..<split.lowerBound].components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]), value = String(line[line.index(after: colon)...].drop { $0 == " " })
            if name == "Status" { status = Int(value.prefix(3)) ?? 0 } else { headers.add(name, value) }
        }
        return CGIResponse(status: status, headers: headers, body: String(run.stdout[split.upperBound...]))
    }

    @Test func getPostAndNotFoundThroughLibfcgisClient() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (app, socket) = try ShippedConfig.appOnSocket(in: directory)

        let get = try request(socket, in: directory, ["REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api/env", "QUERY_STRING": "x=1&x=2", "REQUEST_URI": "/api/env?x=1&x=2"])
        #expect(get.status == 200)
        #expect(get.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(get.headers.all("Set-Cookie") == ["a=1", "b=2"])
        let env = try JSON(parsing: Array(get.body.utf8))
        #expect(env["method"] == "GET")
        #expect(env["query"]?["x"] == ["1", "2"])
        #expect(env["headers"]?["Host"] == "localhost")
        #expect(get.headers["Content-Length"] == String(get.body.utf8.count))

        // 300,000 bytes: several STDIN records of libfcgi's cutting, read whole.
        let upload = Array(repeating: UInt8(ascii: "x"), count: 300_000)
        let post = try request(socket, in: directory, ["REQUEST_METHOD": "POST", "SCRIPT_NAME": "/api/items", "CONTENT_TYPE": "text/plain"], body: upload)
        #expect(post.status == 201)
        #expect(post.body == #"{"method":"POST","bytes":300000}"#)

        let missing = try request(socket, in: directory, ["REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api/nothing-here"])
        #expect(missing.status == 404)
        #expect(missing.body == #"{"error":"Not found"}"#)
        #expect(!app.stderr.contains("level=error"), "\(app.stderr)")
    }
}
