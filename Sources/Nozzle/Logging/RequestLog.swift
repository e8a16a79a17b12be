/// Where log lines go. The host writes them to stderr and, when asked, into the web server's error
/// log through the FastCGI STDERR stream.
public protocol LogWriter: Sendable {
    /// Writes one complete line, without its newline.
    func write(_ line: String)
}

/// How serious a log line is.
public enum LogLevel: String, Sendable, Comparable {
    case debug, info, warning, error

    var rank: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warning: 2
        case .error: 3
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }
}

/// A request's logger: every line names the request's method, path and id.
///
/// ```swift
/// req.log.warning("payment provider slow")
/// // warning id=7f3a-12 method=POST path=/api/pay: payment provider slow
/// ```
public struct RequestLog: Sendable {
    /// The request method.
    public let method: String
    /// The request path.
    public let path: String
    /// The request id.
    public let requestID: String
    let writer: any LogWriter

    /// A logger for one request.
    public init(method: String, path: String, requestID: String, writer: any LogWriter) {
        self.method = method
        self.path = path
        self.requestID = requestID
        self.writer = writer
    }

    /// Writes a line at `level`.
    public func log(_ level: LogLevel, _ message: String) {
        writer.write("\(level.rawValue) id=\(requestID) method=\(method) path=\(path): \(message)")
    }

    /// Writes an error line.
    public func error(_ message: String) { log(.error, message) }
    /// Writes a warning line.
    public func warning(_ message: String) { log(.warning, message) }
    /// Writes an info line.
    public func info(_ message: String) { log(.info, message) }
}

/// A writer that keeps lines in memory, for tests and the in-process client.
public final class MemoryLogWriter: LogWriter, @unchecked Sendable {
    private let lock = Lock()
    private var storage: [String] = []

    /// An empty writer.
    public init() {}

    public func write(_ line: String) { lock.withLock { storage.append(line) } }

    /// The lines written so far.
    public var lines: [String] { lock.withLock { storage } }
}
