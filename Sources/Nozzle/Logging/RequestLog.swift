public import Logging
import Synchronization

/// Where log lines go. The host writes them to stderr and, when asked, into the web server's error
/// log through the FastCGI STDERR stream.
public protocol LogWriter: Sendable {
    /// Writes one complete line, without its newline.
    func write(_ line: String)
}

/// How serious a log line is.
public enum LogLevel: String, Sendable, Comparable {
    var swiftLogLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }

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
/// // time=2026-11-21T21:09:28Z level=warning id=7f3a-12 method=POST path=/api/pay msg="payment provider slow"
/// req.log.logger.info("charged", metadata: ["amount": "12.50"])   // the swift-log Logger underneath
/// ```
///
/// When the request is traced, each line also carries `trace_id` and `span_id` after `path`.
public struct RequestLog: Sendable {
    /// The request method.
    public let method: String
    /// The request path.
    public let path: String
    /// The request id.
    public let requestID: String
    /// The ids of the request's trace and server span, when it is traced: every line then carries
    /// `trace_id` and `span_id`, so that logs and traces join. Read from the span when a line is
    /// written: most requests write none.
    public var trace: TraceIDs? {
        #if Tracing
        traceSource?.ids
        #else
        nil
        #endif
    }
    #if Tracing
    /// The request's span and its tracer, when it is traced.
    var traceSource: TraceSource?
    #endif
    let writer: any LogWriter
    let format: LogFormat

    /// A logger for one request, writing ``LogFormat`` lines to `writer`.
    public init(method: String, path: String, requestID: String, writer: any LogWriter, format: LogFormat = .logfmt) {
        self.method = method
        self.path = path
        self.requestID = requestID
        self.writer = writer
        self.format = format
    }

    /// A swift-log logger whose lines carry the request's id, method and path; made when asked
    /// for, since most requests log nothing.
    public var logger: Logger {
        let fields = requestFields
        let writer = writer
        let format = format
        return Logger(label: "nozzle.request") { _ in NozzleLogHandler(writer: writer, format: format, leading: fields) }
    }

    var requestFields: [(String, String)] {
        guard let trace else { return [("id", requestID), ("method", method), ("path", path)] }
        return [("id", requestID), ("method", method), ("path", path), ("trace_id", trace.traceID), ("span_id", trace.spanID)]
    }

    /// Writes a line at `level`; debug lines are left out, as swift-log's default level does.
    public func log(_ level: LogLevel, _ message: String) {
        guard level >= .info else { return }
        writer.write(format.line(level: level.swiftLogLevel, message: message, metadata: requestFields))
    }

    /// Writes an error line.
    public func error(_ message: String) { log(.error, message) }
    /// Writes a warning line.
    public func warning(_ message: String) { log(.warning, message) }
    /// Writes an info line.
    public func info(_ message: String) { log(.info, message) }
}

/// A writer that keeps lines in memory, for tests and the in-process client.
public final class MemoryLogWriter: LogWriter {
    private let storage = Mutex([String]())

    /// An empty writer.
    public init() {}

    public func write(_ line: String) { storage.withLock { $0.append(line) } }

    /// The lines written so far.
    public var lines: [String] { storage.withLock { $0 } }
}
