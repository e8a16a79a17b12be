/// Where a request body comes from: the FastCGI STDIN stream, CGI standard input, or a test buffer.
///
/// A source hands the body over in chunks as they arrive. Waiting for the next chunk suspends the
/// task, so a client that uploads slowly holds no thread. A source reads until its end marker,
/// never trusting `CONTENT_LENGTH` alone.
public protocol BodySource: AnyObject {
    /// The next chunk of the body, or nil at its end.
    nonisolated(nonsending) func next() async throws -> [UInt8]?

    /// Whether the body has already ended without a byte, so that nothing needs to be awaited.
    /// False when that is not known yet.
    var endedEmpty: Bool { get }
}

extension BodySource {
    /// Not known: a source says so only when it can tell without waiting.
    public var endedEmpty: Bool { false }
}

/// A body held in memory, handed over in chunks of at most 64 KiB.
public final class BufferedBodySource: BodySource {
    private let bytes: [UInt8]
    private var offset = 0

    /// A source that yields `bytes`, then ends.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var endedEmpty: Bool { bytes.isEmpty }

    public func next() -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        let end = min(bytes.count, offset + 65_536)
        defer { offset = end }
        return offset == 0 && end == bytes.count ? bytes : Array(bytes[offset..<end])
    }
}
