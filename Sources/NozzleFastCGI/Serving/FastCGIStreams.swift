import CFastCGI
import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// A request body read from the FastCGI STDIN stream, up to its empty record.
final class FastCGIBodySource: BodySource {
    struct ReadError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { "reading the request body failed: \(System.describe(code))" }
    }

    let stream: UnsafeMutablePointer<FCGX_Stream>

    init(_ stream: UnsafeMutablePointer<FCGX_Stream>) { self.stream = stream }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = FCGX_GetStr(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buffer.count), stream)
        if count <= 0 {
            let code = FCGX_GetError(stream)
            if code != 0 { throw ReadError(code: code) }
            return 0
        }
        return Int(count)
    }
}

/// A response written to the FastCGI STDOUT stream.
///
/// Small writes go through libfcgi's stream, which packs them into one record. libfcgi cuts larger
/// output into 8 KB records, one `write` each, so a large body skips its buffer: after a flush that
/// keeps the order, it goes out as 64 KB records, each header and its content in one `writev`.
final class FastCGIResponseSink: ResponseSink {
    let stream: UnsafeMutablePointer<FCGX_Stream>
    let fd: Int32
    let requestID: UInt16
    var failed = false

    static let directWriteThreshold = 16_384
    static let recordContent = 65_528

    init(_ request: UnsafeMutablePointer<FCGX_Request>) {
        self.stream = request.pointee.out
        self.fd = request.pointee.ipcFd
        self.requestID = UInt16(truncatingIfNeeded: request.pointee.requestId)
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty, !failed else { return }
        guard bytes.count >= FastCGIResponseSink.directWriteThreshold else {
            // A client that went away makes this fail; the request ends normally and nothing else is hurt.
            _ = FCGX_PutStr(base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), stream)
            return
        }
        _ = FCGX_FFlush(stream)
        var offset = 0
        while offset < bytes.count && !failed {
            let count = min(FastCGIResponseSink.recordContent, bytes.count - offset)
            writeRecord(UnsafeRawBufferPointer(start: base + offset, count: count))
            offset += count
        }
    }

    func flush() { _ = FCGX_FFlush(stream) }

    /// One STDOUT record; its content is a multiple of 8 bytes or the last piece, padded to 8.
    private func writeRecord(_ content: UnsafeRawBufferPointer) {
        let padding = (8 - content.count % 8) % 8
        var header: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
            1, 6, UInt8(requestID >> 8), UInt8(requestID & 0xFF),
            UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0
        )
        var zeros: UInt64 = 0
        withUnsafeMutableBytes(of: &header) { head in
            withUnsafeMutableBytes(of: &zeros) { pad in
                var pieces = [
                    iovec(iov_base: head.baseAddress, iov_len: 8),
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: content.baseAddress), iov_len: content.count),
                    iovec(iov_base: pad.baseAddress, iov_len: padding),
                ]
                var remaining = 8 + content.count + padding
                var index = 0
                while remaining > 0 {
                    let written = pieces.withUnsafeMutableBufferPointer { buffer in
                        writev(fd, buffer.baseAddress! + index, Int32(buffer.count - index))
                    }
                    if written < 0 {
                        if errno == EINTR { continue }
                        failed = true
                        return
                    }
                    remaining -= written
                    var advance = written
                    while index < pieces.count && advance >= pieces[index].iov_len {
                        advance -= pieces[index].iov_len
                        index += 1
                    }
                    if index < pieces.count && advance > 0 {
                        pieces[index].iov_base = pieces[index].iov_base! + advance
                        pieces[index].iov_len -= advance
                    }
                }
            }
        }
    }
}

/// Log lines to stderr, and optionally into the web server's error log through FastCGI STDERR.
final class FastCGILogWriter: LogWriter, @unchecked Sendable {
    let stream: UnsafeMutablePointer<FCGX_Stream>?

    init(stderrStream: UnsafeMutablePointer<FCGX_Stream>?) { self.stream = stderrStream }

    func write(_ line: String) {
        LogOutput.shared.write(line)
        guard let stream else { return }
        var text = line + "\n"
        text.withUTF8 { buffer in
            _ = FCGX_PutStr(UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(buffer.count), stream)
        }
    }
}

/// Log lines to the process's log (stderr, or `--log-file`).
struct StderrLogWriter: LogWriter {
    func write(_ line: String) { LogOutput.shared.write(line) }
}
