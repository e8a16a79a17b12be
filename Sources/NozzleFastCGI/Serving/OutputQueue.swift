import CNozzleSystem
import DequeModule
#if canImport(Glibc)
import Glibc
#endif

/// Bytes waiting to go out on a connection, written with `writev` as far as the socket takes them.
///
/// Small pieces (record headers, a small response, END_REQUEST) are copied together into one
/// buffer that the connection keeps from one response to the next, so a small response costs no
/// allocation here. Large pieces are queued as they are, as slices of the handler's own array, so
/// a large body is never copied on its way out.
struct OutputQueue {
    /// Pieces that go out before ``gathered``: large ones, and small ones gathered before them.
    private var chunks = Deque<ArraySlice<UInt8>>()
    /// Small pieces after every chunk, copied together; the bytes before ``gatheredStart`` are out.
    private var gathered: [UInt8] = []
    private var gatheredStart = 0
    private(set) var count = 0

    /// Pieces up to this size are copied together; larger ones are queued as they are.
    static let coalesceLimit = 16_384
    /// The gathering buffer is kept for the next response only up to this capacity, so an idle
    /// connection holds little.
    static let keptCapacity = 4_096

    var isEmpty: Bool { count == 0 }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        if bytes.count <= OutputQueue.coalesceLimit {
            makeRoom(bytes.count)
            gathered.append(contentsOf: bytes)
        } else {
            sealGathered()
            chunks.append(bytes)
        }
        count += bytes.count
    }

    mutating func append(_ bytes: [UInt8]) { append(bytes[...]) }

    /// Appends `content` as STDOUT or STDERR records of request `id`: full records of 65,528
    /// bytes, which need no padding, then the rest.
    mutating func appendStream(_ kind: FastCGIRecord.Kind, requestID: UInt16, _ content: [UInt8]) {
        var offset = 0
        while offset < content.count {
            let length = min(FastCGIRecord.fullContent, content.count - offset)
            let padding = (8 - length % 8) % 8
            appendHeader(kind, requestID: requestID, contentLength: length, paddingLength: padding)
            append(content[offset..<offset + length])
            if padding > 0 {
                makeRoom(padding)
                gathered.append(contentsOf: repeatElement(0, count: padding))
                count += padding
            }
            offset += length
        }
    }

    /// Appends the end of request `id`: the empty STDOUT record that closes its stream, and
    /// END_REQUEST with `FCGI_REQUEST_COMPLETE`.
    mutating func appendEnd(requestID: UInt16) {
        appendStreamEnd(requestID: requestID)
        appendEndRequest(requestID: requestID)
    }

    /// Appends the empty STDOUT record that closes request `id`'s stream.
    mutating func appendStreamEnd(requestID: UInt16) {
        appendHeader(.stdout, requestID: requestID, contentLength: 0, paddingLength: 0)
    }

    /// Appends END_REQUEST with `FCGI_REQUEST_COMPLETE` for request `id`.
    mutating func appendEndRequest(requestID: UInt16) {
        makeRoom(16)
        FastCGIRecord.appendEnd(requestID: requestID, to: &gathered)
        count += 16
    }

    private mutating func appendHeader(_ kind: FastCGIRecord.Kind, requestID: UInt16, contentLength: Int, paddingLength: Int) {
        makeRoom(8)
        FastCGIRecord.Header(type: kind.rawValue, requestID: requestID, contentLength: contentLength, paddingLength: paddingLength).write(into: &gathered)
        count += 8
    }

    /// Makes sure `bytes` more fit in the gathering buffer: a full one is queued as a chunk first.
    private mutating func makeRoom(_ bytes: Int) {
        if gathered.count + bytes > OutputQueue.coalesceLimit { sealGathered() }
    }

    /// Queues what is gathered as a chunk, so what comes next goes out after it.
    private mutating func sealGathered() {
        guard gatheredStart < gathered.count else { return }
        chunks.append(gathered[gatheredStart...])
        gathered = []
        gatheredStart = 0
    }

    enum WriteResult {
        /// Everything went out.
        case done
        /// The socket is full; the rest waits until it is writable.
        case wouldBlock
        /// The peer is gone; the queue is emptied.
        case failed(Int32)
    }

    /// Writes as much as the socket takes now.
    mutating func write(to fd: Int32) -> WriteResult {
        while count > 0 {
            let written = withIOVectors { vectors, vectorCount in writev(fd, vectors, vectorCount) }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
                removeAll()
                return .failed(code)
            }
            consume(written)
        }
        return .done
    }

    /// Lets go of the gathering buffer kept for the next response, when nothing waits to go out:
    /// a connection whose request waits holds none of it (``FastCGIConnection``).
    mutating func releaseKeptStorage() {
        guard count == 0 else { return }
        if gathered.capacity > 0 { gathered = [] }
        if chunks.isEmpty { chunks = Deque() }
        gatheredStart = 0
    }

    /// The bytes the gathering buffer holds room for.
    var gatheredCapacity: Int { gathered.capacity }

    mutating func removeAll() {
        chunks.removeAll()
        resetGathered()
        count = 0
    }

    private mutating func resetGathered() {
        if gathered.capacity > OutputQueue.keptCapacity {
            gathered = []
        } else {
            gathered.removeAll(keepingCapacity: true)
        }
        gatheredStart = 0
    }

    private mutating func consume(_ written: Int) {
        var remaining = written
        count -= written
        while remaining > 0, let first = chunks.first {
            if first.count <= remaining {
                remaining -= first.count
                chunks.removeFirst()
            } else {
                chunks[chunks.startIndex] = first.dropFirst(remaining)
                remaining = 0
            }
        }
        gatheredStart += remaining
        if gatheredStart == gathered.count { resetGathered() }
    }

    /// Up to 64 pieces as `iovec`s, valid while `body` runs.
    private func withIOVectors(_ body: (UnsafePointer<iovec>, Int32) -> Int) -> Int {
        let chunkPieces = min(chunks.count, 63)
        let hasGathered = chunkPieces == chunks.count && gatheredStart < gathered.count
        let pieces = chunkPieces + (hasGathered ? 1 : 0)
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: pieces) { vectors in
            func fill(_ index: Int) -> Int {
                guard index < chunkPieces else {
                    guard hasGathered else { return body(vectors.baseAddress!, Int32(pieces)) }
                    return gathered.withUnsafeBytes { bytes in
                        vectors[index] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress! + gatheredStart), iov_len: bytes.count - gatheredStart)
                        return body(vectors.baseAddress!, Int32(pieces))
                    }
                }
                return chunks[index].withUnsafeBytes { bytes in
                    vectors[index] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
                    return fill(index + 1)
                }
            }
            return fill(0)
        }
    }
}
