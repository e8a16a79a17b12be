/// FastCGI records, as the web server writes them and as a responder answers.
public enum FastCGIRecord {
    /// Record types.
    public enum Kind: UInt8, Sendable {
        case beginRequest = 1, abortRequest = 2, endRequest = 3, params = 4, stdin = 5, stdout = 6, stderr = 7
    }

    /// One record: its header fields and content.
    public static func encode(_ kind: Kind, requestID: UInt16 = 1, content: ArraySlice<UInt8>) -> [UInt8] {
        precondition(content.count <= 65_535)
        let padding = (8 - content.count % 8) % 8
        var out: [UInt8] = [
            1, kind.rawValue, UInt8(requestID >> 8), UInt8(requestID & 0xFF),
            UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0,
        ]
        out.append(contentsOf: content)
        out.append(contentsOf: [UInt8](repeating: 0, count: padding))
        return out
    }

    /// A stream (PARAMS or STDIN) split into records, ended by an empty record.
    public static func stream(_ kind: Kind, _ bytes: [UInt8], requestID: UInt16 = 1, chunk: Int = 65_528) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            out += encode(kind, requestID: requestID, content: bytes[offset..<end])
            offset = end
        }
        out += encode(kind, requestID: requestID, content: [])
        return out
    }

    /// BEGIN_REQUEST for the responder role.
    public static func begin(requestID: UInt16 = 1, keepConnection: Bool) -> [UInt8] {
        encode(.beginRequest, requestID: requestID, content: [0, 1, keepConnection ? 1 : 0, 0, 0, 0, 0, 0])
    }

    /// Name-value pairs in FastCGI's length-prefixed encoding.
    public static func pairs(_ params: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        func length(_ count: Int) {
            if count < 128 {
                out.append(UInt8(count))
            } else {
                out += [UInt8((count >> 24) & 0x7F | 0x80), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
            }
        }
        for (name, value) in params {
            length(name.utf8.count)
            length(value.utf8.count)
            out += Array(name.utf8)
            out += Array(value.utf8)
        }
        return out
    }
}
