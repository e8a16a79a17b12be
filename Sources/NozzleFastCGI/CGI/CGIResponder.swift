import Nozzle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Answers one CGI request: the environment and stdin in, a CGI response on stdout.
///
/// The same request pipeline as FastCGI, with the environment for the params, stdin for the body
/// and stdout for the response. The route is `PATH_INFO`: under a cgi-bin, `SCRIPT_NAME` is the
/// program.
enum CGIResponder {
    static func respond(app: App, options: ServeOptions, environment: [String: String]) -> Int32 {
        // From a cgi-bin, SCRIPT_NAME is the program and PATH_INFO the route. Without PATH_INFO
        // (fcgiwrap behind nginx's stock params), SCRIPT_NAME is the whole path.
        let pathInfo = environment["PATH_INFO"] ?? ""
        let basePath = options.basePath ?? (pathInfo.isEmpty ? app.basePath : environment["SCRIPT_NAME"] ?? app.basePath)
        let limit = environment["CONTENT_LENGTH"].flatMap { Int($0) }
        let pipeline = RequestPipeline(app: app, basePath: basePath, logFormat: options.logFormat)
        let body = FileDescriptorBodySource(fd: 0, limit: limit)
        let sink = FileDescriptorSink(fd: 1)
        CurrentThreadExecutor.run {
            await pipeline.run(variables: CGIEnvironment(environment), body: body, sink: sink, id: RequestIDs().next(), logWriter: StderrLogWriter())
        }
        sink.flush()
        // What `res.after` handed over runs once the web server has the whole response: stdout
        // closes first, and the process ends when the work does.
        if app.afterResponse.pending > 0 {
            close(1)
            CurrentThreadExecutor.run { await app.afterResponse.idle() }
        }
        return 0
    }
}

/// A body read from a file descriptor: CGI standard input.
///
/// A CGI server supplies `CONTENT_LENGTH` bytes and need not close stdin after them, so reading stops
/// there when it is given; without it, reading goes on to end of file.
final class FileDescriptorBodySource: BodySource, Sendable {
    struct ReadError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { "reading the request body failed: \(System.describe(code))" }
    }

    let fd: Int32
    /// Bytes still to read, when the server gave a length. One task reads at a time; the lock
    /// only makes that checkable.
    private let remaining: Mutex<Int?>

    init(fd: Int32, limit: Int?) {
        self.fd = fd
        self.remaining = Mutex(limit)
    }

    /// Blocks its thread while it reads: CGI answers one request, so no other request waits for it.
    func next() throws -> [UInt8]? {
        let want = min(65_536, remaining.withLock { $0 } ?? 65_536)
        guard want > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: want)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, want) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw ReadError(code: errno) }
            guard count > 0 else { return nil }
            remaining.withLock { remaining in remaining = remaining.map { $0 - count } }
            buffer.removeLast(want - count)
            return buffer
        }
    }
}

/// Output to a file descriptor, in large writes: CGI standard output.
final class FileDescriptorSink: ResponseSink, Sendable {
    let fd: Int32
    private let buffer = Mutex((bytes: [UInt8](), finished: false))

    init(fd: Int32) { self.fd = fd }

    func write(_ bytes: [UInt8]) {
        buffer.withLock { buffer in
            if !buffer.finished { buffer.bytes += bytes }
        }
    }

    func flush() {
        buffer.withLock { buffer in
            buffer.bytes.withUnsafeBytes { System.writeAll(fd, $0) }
            buffer.bytes.removeAll(keepingCapacity: true)
        }
    }

    func finish() {
        flush()
        buffer.withLock { $0.finished = true }
    }
}
