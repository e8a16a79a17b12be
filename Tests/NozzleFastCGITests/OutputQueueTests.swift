#if canImport(Glibc)
import Glibc
#endif
@testable import NozzleFastCGI
import Testing

/// What a connection writes arrives whole and in order, whatever mix of small pieces (gathered in
/// one kept buffer) and large ones (queued as they are) made it, and however the socket cut it.
@Suite struct OutputQueueTests {
    /// A socketpair whose writing end is non-blocking, as a connection's is.
    final class Pair {
        let writer: Int32
        let reader: Int32

        init(sendBuffer: Int32? = nil) {
            var fds: [Int32] = [0, 0]
            precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
            writer = fds[0]
            reader = fds[1]
            _ = fcntl(writer, F_SETFL, fcntl(writer, F_GETFL) | O_NONBLOCK)
            _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) | O_NONBLOCK)
            if var size = sendBuffer {
                setsockopt(writer, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
        }

        /// Everything readable now.
        func drain() -> [UInt8] {
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(reader, &buffer, buffer.count)
                guard count > 0 else { return out }
                out += buffer[0..<count]
            }
        }

        deinit {
            close(writer)
            close(reader)
        }
    }

    static func bytes(_ count: Int, seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) &+ seed } }

    /// Writes the queue out as the socket takes it, reading what arrives after each write, for at
    /// most 10,000 rounds: what arrived, and the rounds it took.
    static func writeOut(_ queue: inout OutputQueue, _ pair: Pair) -> (received: [UInt8], rounds: Int) {
        var received: [UInt8] = []
        var rounds = 0
        while rounds < 10_000 {
            rounds += 1
            let result = queue.write(to: pair.writer)
            received += pair.drain()
            if case .done = result { break }
        }
        return (received, rounds)
    }

    @Test func smallAndLargePiecesGoOutInOrder() {
        let pair = Pair()
        var queue = OutputQueue()
        let small = Self.bytes(100, seed: 1)
        let large = Self.bytes(OutputQueue.coalesceLimit + 1, seed: 2)
        let medium = Self.bytes(OutputQueue.coalesceLimit - 50, seed: 3)
        queue.append(small)
        queue.append(large)
        queue.append(small)
        queue.append(medium)
        queue.append(small)
        #expect(queue.count == 3 * small.count + large.count + medium.count)
        guard case .done = queue.write(to: pair.writer) else {
            Issue.record("the socket took less than about 50 KB")
            return
        }
        #expect(queue.isEmpty)
        #expect(pair.drain() == small + large + small + medium + small)
    }

    @Test func aResponseIsRecordsThenTheEnd() {
        let pair = Pair()
        var queue = OutputQueue()
        let body = Self.bytes(FastCGIRecord.fullContent + 13, seed: 4)
        queue.appendStream(.stdout, requestID: 3, body)
        queue.appendEnd(requestID: 3)
        _ = queue.write(to: pair.writer)
        // The same bytes as records encoded one by one: a full record, the rest padded to 8, the
        // empty STDOUT record and END_REQUEST.
        let expected = FastCGIRecord.encode(.stdout, requestID: 3, content: body[0..<FastCGIRecord.fullContent])
            + FastCGIRecord.encode(.stdout, requestID: 3, content: body[FastCGIRecord.fullContent...])
            + FastCGIRecord.encode(.stdout, requestID: 3, content: EmptyCollection())
            + FastCGIRecord.end(requestID: 3)
        #expect(pair.drain() == expected)
    }

    @Test func aFullSocketTakesTheRestLater() {
        let pair = Pair(sendBuffer: 4_096)
        var queue = OutputQueue()
        var expected: [UInt8] = []
        // Many small responses and a few large ones, more than the socket holds at once.
        for index in 0..<200 {
            let piece = Self.bytes(index % 10 == 0 ? 40_000 : 300 + index, seed: UInt8(index % 251))
            queue.appendStream(.stdout, requestID: 1, piece)
            expected += FastCGIRecord.encode(.stdout, requestID: 1, content: piece)
        }
        queue.appendEnd(requestID: 1)
        expected += FastCGIRecord.encode(.stdout, requestID: 1, content: EmptyCollection()) + FastCGIRecord.end(requestID: 1)
        var (received, rounds) = Self.writeOut(&queue, pair)
        received += pair.drain()
        #expect(queue.isEmpty)
        #expect(rounds > 1, "the socket never filled up")
        #expect(received.count == expected.count)
        #expect(received == expected)
    }

    @Test func keptRoomGoesOnlyWhenNothingWaitsToGoOut() {
        let pair = Pair(sendBuffer: 4_096)
        var queue = OutputQueue()
        queue.appendStream(.stdout, requestID: 1, Self.bytes(300, seed: 6))
        queue.appendEnd(requestID: 1)
        guard case .done = queue.write(to: pair.writer) else {
            Issue.record("the socket did not take 340 bytes")
            return
        }
        _ = pair.drain()
        // Written out, the gathering buffer stays for the next response, until let go of.
        #expect(queue.gatheredCapacity > 0)
        queue.releaseKeptStorage()
        #expect(queue.gatheredCapacity == 0)
        // With bytes still waiting for room in the socket, nothing goes.
        var expected: [UInt8] = []
        for index in 0..<40 {
            let piece = Self.bytes(1_000 + index, seed: UInt8(index))
            queue.appendStream(.stdout, requestID: 2, piece)
            expected += FastCGIRecord.encode(.stdout, requestID: 2, content: piece)
        }
        guard case .wouldBlock = queue.write(to: pair.writer) else {
            Issue.record("a 4 KB socket took 40 KB")
            return
        }
        queue.releaseKeptStorage()
        let received = pair.drain() + Self.writeOut(&queue, pair).received
        #expect(received == expected)
    }

    @Test func aGoneReaderEmptiesTheQueue() {
        var pair: Pair? = Pair()
        let writer = dup(pair!.writer)
        pair = nil
        defer { close(writer) }
        var queue = OutputQueue()
        queue.append(Self.bytes(100, seed: 5))
        signal(SIGPIPE, SIG_IGN)
        guard case .failed = queue.write(to: writer) else {
            Issue.record("a write to a closed peer did not fail")
            return
        }
        #expect(queue.isEmpty)
    }
}
