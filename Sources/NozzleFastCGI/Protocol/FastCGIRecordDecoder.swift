/// Cuts a byte stream into FastCGI records, across reads that end anywhere.
///
/// Bytes go in as they are read; whole records come out. At most one partial record is kept
/// between reads, so the memory a connection holds is bounded by the largest record (64 KiB).
package struct FastCGIRecordDecoder: Sendable {
    /// A whole record, its content read in place: valid only while the callback that gets it runs.
    package struct Record {
        package var type: UInt8
        package var requestID: UInt16
        package var content: UnsafeRawBufferPointer
    }

    /// The stream is not FastCGI.
    package struct ProtocolError: Error, Equatable, CustomStringConvertible {
        package var description: String
    }

    private var pending: [UInt8] = []

    package init() {}

    /// Whether part of a record is waiting for more bytes.
    package var hasPartialRecord: Bool { !pending.isEmpty }

    /// Takes bytes, and calls `body` with each record they complete, in order.
    ///
    /// - Throws: ``ProtocolError`` for a version other than 1; `body`'s errors.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (Record) throws -> Void) throws {
        var input = bytes[...]
        // Complete a partial record first: its header, then its content.
        while !pending.isEmpty, !input.isEmpty {
            let take = min(needs(pending) - pending.count, input.count)
            pending += input.prefix(take)
            input = input.dropFirst(take)
            if pending.count >= 8 { try checkVersion(pending) }
            if pending.count >= 8, pending.count == needs(pending) {
                let record = pending
                pending = []
                try record.withUnsafeBytes { try emit($0, body) }
            }
        }
        while !input.isEmpty {
            guard input.count >= 8 else {
                pending = Array(input)
                return
            }
            // Checked as soon as a header is whole: a stream that is not FastCGI is refused at once,
            // not after waiting for a "content" of whatever length its bytes happen to spell.
            try checkVersion(input)
            let header = FastCGIRecord.Header(input.prefix(8))
            let total = 8 + header.contentLength + header.paddingLength
            guard input.count >= total else {
                pending = Array(input)
                return
            }
            try emit(UnsafeRawBufferPointer(rebasing: input.prefix(total)), body)
            input = input.dropFirst(total)
        }
    }

    /// The bytes a record needs in all, once its header is known; 8 before that.
    private func needs(_ bytes: [UInt8]) -> Int {
        guard bytes.count >= 8 else { return 8 }
        let header = FastCGIRecord.Header(bytes.prefix(8))
        return 8 + header.contentLength + header.paddingLength
    }

    private func checkVersion(_ bytes: some Collection<UInt8>) throws(ProtocolError) {
        guard let version = bytes.first, version == 1 else {
            throw ProtocolError(description: "a record of FastCGI version \(bytes.first ?? 0), not 1: the peer does not speak FastCGI")
        }
    }

    /// Hands on one whole record, header, content and padding, without copying its content.
    private func emit(_ bytes: UnsafeRawBufferPointer, _ body: (Record) throws -> Void) throws {
        let header = FastCGIRecord.Header(bytes.prefix(8))
        let content = UnsafeRawBufferPointer(rebasing: bytes[8..<8 + header.contentLength])
        try body(Record(type: header.type, requestID: header.requestID, content: content))
    }
}
