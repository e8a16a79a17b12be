import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// Answers one CGI request: the environment and stdin in, a CGI response on stdout.
///
/// libfcgi's `FCGX_Accept_r` does not do CGI (only `fcgi_stdio`'s `FCGI_Accept` does), so the
/// host does it itself. The route is `PATH_INFO`: under a cgi-bin, `SCRIPT_NAME` is the program.
enum CGIResponder {
    static func respond(app: App, options: ServeOptions, environment: [String: String]) -> Int32 {
        // From a cgi-bin, SCRIPT_NAME is the program and PATH_INFO the route. Without PATH_INFO
        // (fcgiwrap behind nginx's stock params), SCRIPT_NAME is the whole path.
        let pathInfo = environment["PATH_INFO"] ?? ""
        let basePath = options.basePath ?? (pathInfo.isEmpty ? app.basePath : environment["SCRIPT_NAME"] ?? app.basePath)
        let limit = environment["CONTENT_LENGTH"].flatMap { Int($0) }
        let request = Request(
            environment: environment,
            body: FileDescriptorBodySource(fd: 0, limit: limit),
            basePath: basePath,
            id: RequestIDs().next(),
            logWriter: StderrLogWriter(),
            logFormat: options.logFormat
        )
        let sink = FileDescriptorSink(fd: 1)
        let response = Response(sink: sink, method: request.method, log: request.log)
        WorkerExecutor().run {
            await app.respond(to: request, response)
        }
        sink.flush()
        return 0
    }
}

/// A body read from a file descriptor: CGI standard input.
///
/// A CGI server supplies `CONTENT_LENGTH` bytes and need not close stdin after them, so reading stops
/// there when it is given; without it, reading goes on to end of file.
final class FileDescriptorBodySource: BodySource {
    let fd: Int32
    var remaining: Int?

    init(fd: Int32, limit: Int?) {
        self.fd = fd
        self.remaining = limit
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let want = min(buffer.count, remaining ?? buffer.count)
        guard want > 0 else { return 0 }
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, want)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw FastCGIBodySource.ReadError(code: errno) }
            if let remaining { self.remaining = remaining - count }
            return count
        }
    }
}

/// Output to a file descriptor, in large writes: CGI standard output.
final class FileDescriptorSink: ResponseSink {
    let fd: Int32
    var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    func write(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }

    func flush() {
        buffer.withUnsafeBytes { System.writeAll(fd, $0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
