extension RequestLog {
    /// The ids that join a request's log lines to its trace, written as `trace_id` and `span_id`.
    public struct TraceIDs: Sendable, Equatable {
        /// The trace's id: 32 lowercase hex digits.
        public var traceID: String
        /// The request's server span's id: 16 lowercase hex digits.
        public var spanID: String

        /// Ids as given.
        public init(traceID: String, spanID: String) {
            self.traceID = traceID
            self.spanID = spanID
        }

        /// The ids of a W3C `traceparent` value, `00-<trace id>-<span id>-<flags>`; nil when it is
        /// not one.
        public init?(traceparent: String) {
            // `vv-` then 32 hex digits, `-`, 16 hex digits, `-`.
            let bytes = Array(traceparent.utf8)
            guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
                bytes[3..<35].allSatisfy(Self.isHex), bytes[36..<52].allSatisfy(Self.isHex)
            else { return nil }
            self.init(traceID: String(decoding: bytes[3..<35], as: UTF8.self), spanID: String(decoding: bytes[36..<52], as: UTF8.self))
        }

        private static func isHex(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        }
    }
}
