import Nozzle

/// A response written to its connection as STDOUT records.
///
/// Once the request is finished the connection no longer knows this sink, so whatever a handler
/// writes after a timeout is dropped instead of reaching the next request.
final class FastCGIResponseSink: ResponseSink, Sendable {
    let connection: FastCGIConnection
    let requestID: UInt16

    init(connection: FastCGIConnection, requestID: UInt16) {
        self.connection = connection
        self.requestID = requestID
    }

    func write(_ bytes: [UInt8]) { connection.appendStream(.stdout, bytes, from: self) }
    func flush() { connection.flush(from: self) }
    func finish() { connection.finishRequest(from: self) }

    /// A log line for the web server's error log, as a STDERR record.
    func writeError(_ line: String) { connection.appendStream(.stderr, Array((line + "\n").utf8), from: self) }
}

/// Log lines to the process's log, and, with `--log-to-fastcgi-stderr`, into the web server's
/// error log through the request's STDERR stream.
struct FastCGILogWriter: LogWriter {
    let sink: FastCGIResponseSink?

    func write(_ line: String) {
        LogOutput.shared.write(line)
        sink?.writeError(line)
    }
}
