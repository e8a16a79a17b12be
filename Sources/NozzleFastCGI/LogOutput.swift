import Logging
import Nozzle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where this process's log lines go, and in what format: stderr unless `--log-file`, which
/// SIGUSR1 reopens (after logrotate moved it). Every line is one `write`, so lines from several
/// threads never interleave.
final class LogOutput: Sendable {
    static let shared = LogOutput()

    private struct Destination {
        var fd: Int32 = 2
        var path: String?
        var format = LogFormat.logfmt
    }

    private let destination = Mutex(Destination())

    var format: LogFormat { destination.withLock { $0.format } }

    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    /// Sets the format, and the file to append to (nil for stderr).
    func configure(format: LogFormat, path: String?) throws(OpenError) {
        destination.withLock { $0.format = format }
        guard let path else { return }
        let file = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard file >= 0 else { throw OpenError(description: "cannot open --log-file \(path): \(System.describe(errno))") }
        destination.withLock { destination in
            destination.fd = file
            destination.path = path
        }
    }

    /// Opens the log file again under its name; the old descriptor closes once the new one is in place.
    func reopen() {
        destination.withLock { destination in
            guard let path = destination.path else { return }
            let file = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard file >= 0 else { return }
            let old = destination.fd
            destination.fd = file
            close(old)
        }
        log(.info, "nozzle: reopened the log file")
    }

    /// Writes a line that is already formatted.
    func write(_ line: String) {
        var text = line.hasSuffix("\n") ? line : line + "\n"
        destination.withLock { destination in
            text.withUTF8 { System.writeAll(destination.fd, UnsafeRawBufferPointer($0)) }
        }
    }

    /// Writes `message` as a line in the configured format.
    func log(_ level: Logger.Level, _ message: String, metadata: [(String, String)] = []) {
        write(format.line(level: level, message: message, metadata: metadata))
    }
}
