import Nozzle

/// A response as a client sees it: status, headers and body, parsed from the CGI output.
public struct TestResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The reason phrase of the status line: `Not Found`, or what ``Response/statusMessage`` set.
    public var statusMessage: String
    /// The header fields, in order.
    public var headers: Headers
    /// The body bytes.
    public var body: [UInt8]

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, or nil when it is not JSON.
    public var json: JSON? { try? JSON(parsing: body) }

    /// Parses CGI output: a header block, a blank line, the body. Without `Status:`, a `Location`
    /// means 302 and anything else 200, as nginx reads it.
    public init(cgiOutput bytes: [UInt8]) {
        var headers = Headers()
        var status: Int?
        var reason = ""
        var index = 0
        var bodyStart = bytes.count
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstIndex(of: 10) else { break }
            var line = bytes[index..<lineEnd]
            if line.last == 13 { line = line.dropLast() }
            index = lineEnd + 1
            if line.isEmpty {
                bodyStart = index
                break
            }
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { continue }
            let name = String(text[..<colon])
            let value = text[text.index(after: colon)...].drop { $0 == " " }
            if name.lowercased() == "status" {
                status = Int(value.prefix(3))
                reason = String(value.dropFirst(3).drop { $0 == " " })
            } else {
                headers.add(name, String(value))
            }
        }
        self.status = status ?? (headers["Location"] != nil ? 302 : 200)
        self.statusMessage = reason
        self.headers = headers
        self.body = Array(bytes[min(bodyStart, bytes.count)...])
    }
}
