import Synchronization

/// Where a response's bytes go: the FastCGI STDOUT stream, CGI standard output, or a test buffer.
///
/// A ``Response`` writes a CGI header block (`Status: 201 Created`, the fields, a blank line) and
/// then the body. When the request is over, the pipeline calls ``finish()`` once; a sink drops
/// anything written after that, so a handler that goes on after a timeout cannot touch the next
/// request on the same connection.
public protocol ResponseSink: AnyObject, Sendable {
    /// Writes bytes; the sink may buffer them. Large arrays are kept as they are, not copied.
    func write(_ bytes: [UInt8])
    /// Sends what is buffered to the web server now.
    func flush()
    /// Ends the request: sends what is buffered and lets the connection go on.
    func finish()
}

extension ResponseSink {
    public func finish() { flush() }
}

/// A sink that keeps everything in memory.
public final class BufferedResponseSink: ResponseSink, Sendable {
    private let state = Mutex((bytes: [UInt8](), flushes: 0, finished: false))

    /// An empty sink.
    public init() {}

    /// Everything written before ``finish()``.
    public var bytes: [UInt8] { state.withLock { $0.bytes } }
    /// How many times ``flush()`` was called.
    public var flushCount: Int { state.withLock { $0.flushes } }

    public func write(_ bytes: [UInt8]) {
        state.withLock { state in
            if !state.finished { state.bytes += bytes }
        }
    }

    public func flush() { state.withLock { $0.flushes += 1 } }

    public func finish() { state.withLock { $0.finished = true } }
}
