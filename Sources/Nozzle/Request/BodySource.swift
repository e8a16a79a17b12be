/// Where a request body comes from: the FastCGI STDIN stream, CGI standard input, or a test buffer.
///
/// The host reads on the thread that serves the request, so a read may block until the web server
/// sends more. A source reads until its end marker, never trusting `CONTENT_LENGTH` alone.
public protocol BodySource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 at the end of the body.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A body held in memory.
public final class BufferedBodySource: BodySource {
    private let bytes: [UInt8]
    private var offset = 0

    /// A source that yields `bytes`, then ends.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}
