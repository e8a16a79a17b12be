/// FastCGI 1.0 records: the 8-byte header, the record types, and their encoding, as the host
/// reads and writes them and as a test sends them.
///
/// A record is a header (version, type, request id, content length, padding length), then its
/// content and padding. Streams (PARAMS, STDIN, STDOUT, STDERR) end with an empty record.
///
/// ```swift
/// let request = FastCGIRecord.begin(keepConnection: true)
///     + FastCGIRecord.stream(.params, FastCGIRecord.pairs([("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", "/api/hello")]))
///     + FastCGIRecord.stream(.stdin, [])
/// ```
public enum FastCGIRecord {
    /// Record types, as the specification numbers them.
    public enum Kind: UInt8, Sendable {
        case beginRequest = 1, abortRequest = 2, endRequest = 3, params = 4, stdin = 5, stdout = 6, stderr = 7
        case data = 8, getValues = 9, getValuesResult = 10, unknownType = 11
    }

    /// `protocolStatus` of END_REQUEST.
    public enum ProtocolStatus: UInt8, Sendable {
        case requestComplete = 0, cantMultiplexConnection = 1, overloaded = 2, unknownRole = 3
    }

    /// The responder role: the only one this host plays.
    public static let responderRole: UInt16 = 1
    /// `FCGI_KEEP_CONN` in BEGIN_REQUEST's flags.
    public static let keepConnectionFlag: UInt8 = 1
    /// The most content one record carries.
    public static let maximumContent = 65_535
    /// The content this host puts in each full STDOUT record: a multiple of 8, so it needs no padding.
    public static let fullContent = 65_528

    /// A record's header: 8 bytes.
    public struct Header: Equatable, Sendable {
        /// The protocol version: 1.
        public var version: UInt8
        /// The record type: a ``Kind``'s raw value, or another number.
        public var type: UInt8
        /// The request the record belongs to; 0 for management records.
        public var requestID: UInt16
        /// The bytes of content that follow the header.
        public var contentLength: Int
        /// The bytes of padding after the content.
        public var paddingLength: Int

        /// A header with these fields.
        public init(version: UInt8 = 1, type: UInt8, requestID: UInt16, contentLength: Int, paddingLength: Int) {
            self.version = version
            self.type = type
            self.requestID = requestID
            self.contentLength = contentLength
            self.paddingLength = paddingLength
        }

        /// Reads a header from its 8 bytes.
        public init(_ bytes: some RandomAccessCollection<UInt8>) {
            let base = bytes.startIndex
            func byte(_ offset: Int) -> UInt8 { bytes[bytes.index(base, offsetBy: offset)] }
            version = byte(0)
            type = byte(1)
            requestID = UInt16(byte(2)) << 8 | UInt16(byte(3))
            contentLength = Int(byte(4)) << 8 | Int(byte(5))
            paddingLength = Int(byte(6))
        }

        /// The header's 8 bytes, appended to `out`.
        public func write(into out: inout [UInt8]) {
            out.append(version)
            out.append(type)
            out.append(UInt8(requestID >> 8))
            out.append(UInt8(requestID & 0xFF))
            out.append(UInt8(contentLength >> 8))
            out.append(UInt8(contentLength & 0xFF))
            out.append(UInt8(paddingLength))
            out.append(0)
        }
    }

    /// Appends one record, padded to a multiple of 8 bytes.
    public static func append(_ kind: Kind, requestID: UInt16, content: some Collection<UInt8>, to out: inout [UInt8]) {
        precondition(content.count <= maximumContent)
        let padding = (8 - content.count % 8) % 8
        Header(type: kind.rawValue, requestID: requestID, contentLength: content.count, paddingLength: padding).write(into: &out)
        out.append(contentsOf: content)
        for _ in 0..<padding { out.append(0) }
    }

    /// One record.
    public static func encode(_ kind: Kind, requestID: UInt16 = 1, content: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + content.count + 7)
        append(kind, requestID: requestID, content: content, to: &out)
        return out
    }

    /// A stream (PARAMS, STDIN, STDOUT) cut into records of at most `chunk` bytes, then its empty record.
    public static func stream(_ kind: Kind, _ bytes: [UInt8], requestID: UInt16 = 1, chunk: Int = fullContent) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            append(kind, requestID: requestID, content: bytes[offset..<end], to: &out)
            offset = end
        }
        append(kind, requestID: requestID, content: EmptyCollection(), to: &out)
        return out
    }

    /// BEGIN_REQUEST for a role, with or without `FCGI_KEEP_CONN`.
    public static func begin(requestID: UInt16 = 1, role: UInt16 = responderRole, keepConnection: Bool) -> [UInt8] {
        encode(.beginRequest, requestID: requestID, content: [UInt8(role >> 8), UInt8(role & 0xFF), keepConnection ? keepConnectionFlag : 0, 0, 0, 0, 0, 0])
    }

    /// END_REQUEST with an application status and a protocol status.
    public static func end(requestID: UInt16, appStatus: UInt32 = 0, status: ProtocolStatus = .requestComplete) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        appendEnd(requestID: requestID, appStatus: appStatus, status: status, to: &out)
        return out
    }

    /// Appends END_REQUEST (16 bytes) to `out`.
    public static func appendEnd(requestID: UInt16, appStatus: UInt32 = 0, status: ProtocolStatus = .requestComplete, to out: inout [UInt8]) {
        Header(type: Kind.endRequest.rawValue, requestID: requestID, contentLength: 8, paddingLength: 0).write(into: &out)
        out.append(UInt8(appStatus >> 24))
        out.append(UInt8((appStatus >> 16) & 0xFF))
        out.append(UInt8((appStatus >> 8) & 0xFF))
        out.append(UInt8(appStatus & 0xFF))
        out.append(status.rawValue)
        out.append(contentsOf: repeatElement(0, count: 3))
    }

    /// Name-value pairs in FastCGI's length-prefixed encoding: a length under 128 takes one byte,
    /// a longer one four, with the top bit set.
    public static func pairs(_ pairs: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        func length(_ count: Int) {
            if count < 128 {
                out.append(UInt8(count))
            } else {
                out += [UInt8((count >> 24) & 0x7F | 0x80), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
            }
        }
        for (name, value) in pairs {
            length(name.utf8.count)
            length(value.utf8.count)
            out += Array(name.utf8)
            out += Array(value.utf8)
        }
        return out
    }
}
