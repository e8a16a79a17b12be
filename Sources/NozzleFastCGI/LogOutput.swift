import Logging
import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// Where this process's log lines go, and in what format: stderr unless `--log-file`, which
/// SIGUSR1 reopens (after logrotate moved it). Every line is one `write`, so lines from several
/// threads never interleave.
final class LogOutput: @unchecked Sendable {
    static let shared = LogOutput()

    private let lock = Lock()
    private var fd: Int32 = 2
    private var path: String?
    private var currentFormat = LogFormat.logfmt

    var format: LogFormat { lock.withLock { currentFormat } }

    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    /// Sets the format, and the file to append to (nil for stderr).
    func configure(format: LogFormat, path: String?) throws(OpenError) {
        lock.withLock { currentFormat = format }
        guard let path else { return }
        let file = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard file >= 0 else { throw OpenError(description: "cannot open --log-file \(path): \(System.describe(errno))") }
        lock.withLock {
            fd = file
            self.path = path
        }
    }

    /// Opens the log file again under its name; the old descriptor closes once the new one is in place.
    func reopen() {
        lock.withLock {
            guard let path else { return }
            let file = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard file >= 0 else { return }
            let old = fd
            fd = file
            close(old)
        }
        log(.info, "nozzle: reopened the log file")
    }

    /// Writes a line that is already formatted.
    func write(_ line: String) {
        var text = line.hasSuffix("\n") ? line : line + "\n"
        lock.withLock {
            text.withUTF8 { System.writeAll(fd, UnsafeRawBufferPointer($0)) }
        }
    }

    /// Writes `message` as a line in the configured format.
    func log(_ level: Logger.Level, _ message: String, metadata: [(String, String)] = []) {
        write(format.line(level: level, message: message, metadata: metadata))
    }
}
