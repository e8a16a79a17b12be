import CFastCGI
import Nozzle

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
final class FastCGIResponseSink: ResponseSink {
    let stream: UnsafeMutablePointer<FCGX_Stream>

    init(_ stream: UnsafeMutablePointer<FCGX_Stream>) { self.stream = stream }

    func write(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        // A client that went away makes this fail; the request ends normally and nothing else is hurt.
        _ = FCGX_PutStr(base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), stream)
    }

    func flush() { _ = FCGX_FFlush(stream) }
}

/// Log lines to stderr, and optionally into the web server's error log through FastCGI STDERR.
final class FastCGILogWriter: LogWriter, @unchecked Sendable {
    let stream: UnsafeMutablePointer<FCGX_Stream>?

    init(stderrStream: UnsafeMutablePointer<FCGX_Stream>?) { self.stream = stderrStream }

    func write(_ line: String) {
        System.writeStderr(line)
        guard let stream else { return }
        var text = line + "\n"
        text.withUTF8 { buffer in
            _ = FCGX_PutStr(UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(buffer.count), stream)
        }
    }
}

/// Log lines to stderr only.
struct StderrLogWriter: LogWriter {
    func write(_ line: String) { System.writeStderr(line) }
}
