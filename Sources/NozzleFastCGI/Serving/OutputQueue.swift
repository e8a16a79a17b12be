import CNozzleSystem
import DequeModule
#if canImport(Glibc)
import Glibc
#endif

/// Bytes waiting to go out on a connection, written with `writev` as far as the socket takes them.
///
/// Small pieces are copied together; large ones are queued as they are, as slices of the
/// handler's own array, so a large body is never copied on its way out.
struct OutputQueue {
    private var chunks = Deque<ArraySlice<UInt8>>()
    private(set) var count = 0

    /// Pieces up to this size are copied into the piece before them.
    static let coalesceLimit = 16_384

    var isEmpty: Bool { count == 0 }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        if bytes.count <= OutputQueue.coalesceLimit, let last = chunks.indices.last, chunks[last].count + bytes.count <= OutputQueue.coalesceLimit {
            chunks[last].append(contentsOf: bytes)
        } else {
            chunks.append(bytes)
        }
    }

    mutating func append(_ bytes: [UInt8]) { append(bytes[...]) }

    /// Appends `content` as STDOUT or STDERR records of request `id`: full records of 65,528
    /// bytes, which need no padding, then the rest.
    mutating func appendStream(_ kind: FastCGIRecord.Kind, requestID: UInt16, _ content: [UInt8]) {
        var offset = 0
        while offset < content.count {
            let length = min(FastCGIRecord.fullContent, content.count - offset)
            let padding = (8 - length % 8) % 8
            var header: [UInt8] = []
            header.reserveCapacity(8)
            FastCGIRecord.Header(type: kind.rawValue, requestID: requestID, contentLength: length, paddingLength: padding).write(into: &header)
            append(header)
            append(content[offset..<offset + length])
            if padding > 0 { append([UInt8](repeating: 0, count: padding)) }
            offset += length
        }
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
        while !chunks.isEmpty {
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

    mutating func removeAll() {
        chunks.removeAll()
        count = 0
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
    }

    /// Up to 64 pieces as `iovec`s, valid while `body` runs.
    private func withIOVectors(_ body: (UnsafePointer<iovec>, Int32) -> Int) -> Int {
        let pieces = min(chunks.count, 64)
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: pieces) { vectors in
            func fill(_ index: Int) -> Int {
                guard index < pieces else { return body(vectors.baseAddress!, Int32(pieces)) }
                return chunks[index].withUnsafeBytes { bytes in
                    vectors[index] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
                    return fill(index + 1)
                }
            }
            return fill(0)
        }
    }
}
