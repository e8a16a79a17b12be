#if canImport(Glibc)
import Glibc
#endif
import Nozzle
import NozzleFastCGI

/// A FastCGI client over a connected socket: it sends requests as nginx does and reads the answers.
///
/// ```swift
/// let client = FastCGIWireClient(fd: socket)
/// let answer = try client.send(params: ["REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api/hello"])
/// #expect(answer.response.status == 200)
/// ```
public final class FastCGIWireClient {
    /// What came back for one request.
    public struct Answer: Sendable {
        /// The STDOUT stream, parsed.
        public var response: TestResponse
        /// The STDOUT stream as sent.
        public var stdout: [UInt8]
        /// The STDERR stream as text.
        public var stderr: String
        /// The application status from END_REQUEST.
        public var appStatus: UInt32
    }

    /// The connection closed, or sent something unexpected.
    public struct WireError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The socket.
    public let fd: Int32
    private var buffer: [UInt8] = []

    /// A client on a connected socket; it closes the socket when released.
    public init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Sends one request and reads its answer.
    ///
    /// - Parameters:
    ///   - params: the FastCGI params, in order.
    ///   - stdin: the body.
    ///   - keepConnection: sets `FCGI_KEEP_CONN`, as `fastcgi_keep_conn on` does.
    ///   - sendEmptyStdin: end the body with an empty record; false leaves the body open.
    public func send(
        params: [(String, String)],
        stdin: [UInt8] = [],
        keepConnection: Bool = true,
        chunk: Int = 65_528
    ) throws -> Answer {
        var request = FastCGIRecord.begin(keepConnection: keepConnection)
        request += FastCGIRecord.stream(.params, FastCGIRecord.pairs(params))
        request += FastCGIRecord.stream(.stdin, stdin, chunk: chunk)
        try writeAll(request)
        return try readAnswer()
    }

    /// Writes raw bytes, such as a hand-made record.
    public func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw WireError(description: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Reads records up to END_REQUEST.
    public func readAnswer() throws -> Answer {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        while true {
            let record = try readRecord()
            switch FastCGIRecord.Kind(rawValue: record.header.type) {
            case .stdout: stdout += record.content
            case .stderr: stderr += record.content
            case .endRequest:
                let content = record.content
                let status = UInt32(content[0]) << 24 | UInt32(content[1]) << 16 | UInt32(content[2]) << 8 | UInt32(content[3])
                return Answer(response: TestResponse(cgiOutput: stdout), stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self), appStatus: status)
            default:
                throw WireError(description: "unexpected record type \(record.header.type)")
            }
        }
    }

    /// Reads one record: its header and content, without the padding.
    public func readRecord() throws -> (header: FastCGIRecord.Header, content: [UInt8]) {
        let header = FastCGIRecord.Header(try read(8))
        let content = try read(header.contentLength + header.paddingLength).prefix(header.contentLength)
        return (header, Array(content))
    }

    /// Whether bytes arrive within `timeout` seconds.
    public func hasInput(timeout: Double) -> Bool {
        guard buffer.isEmpty else { return true }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, Int32(timeout * 1000)) > 0
    }

    /// Whether the peer has closed the connection, waiting up to `timeout` seconds.
    public func isClosedByPeer(timeout: Double = 2) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK)) <= 0
    }

    private func read(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let received = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if received < 0 && errno == EINTR { continue }
            guard received > 0 else { throw WireError(description: "connection closed by the responder") }
            buffer += chunk[0..<received]
        }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }
}
