/// Where a response's bytes go: the FastCGI STDOUT stream, CGI standard output, or a test buffer.
///
/// A ``Response`` writes a CGI header block (`Status: 201 Created`, the fields, a blank line) and
/// then the body.
public protocol ResponseSink: AnyObject {
    /// Writes bytes; the sink may buffer them.
    func write(_ bytes: UnsafeRawBufferPointer)
    /// Sends what is buffered to the web server now.
    func flush()
}

/// A sink that keeps everything in memory.
public final class BufferedResponseSink: ResponseSink {
    /// Everything written so far.
    public private(set) var bytes: [UInt8] = []
    /// How many times ``flush()`` was called.
    public private(set) var flushCount = 0

    /// An empty sink.
    public init() {}

    public func write(_ bytes: UnsafeRawBufferPointer) { self.bytes.append(contentsOf: bytes) }
    public func flush() { flushCount += 1 }
}
