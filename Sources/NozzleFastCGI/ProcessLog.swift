public import Logging
import Nozzle

/// A swift-log `Logger` for work outside any request, such as a database pool or a background task:
/// its lines go where the host's own go (stderr, or `--log-file`), in the same format (logfmt or
/// JSON, after `--log-format`), with `logger=LABEL` first.
///
/// ```swift
/// let logger = ProcessLog.logger(label: "db")
/// logger.error("database unreachable", metadata: ["host": "10.0.0.4"])
/// // level=error logger=db msg="database unreachable" host=10.0.0.4
/// ```
public enum ProcessLog {
    /// A logger labelled `label`, logging from `level` up.
    public static func logger(label: String, level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: label) { label in ProcessLogHandler(label: label) }
        logger.logLevel = level
        return logger
    }
}

/// Writes through ``NozzleLogHandler`` in the format the process has when each line is written, so a
/// logger made before the command line is read still follows `--log-format`.
struct ProcessLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var handler = NozzleLogHandler(writer: StderrLogWriter(), format: LogOutput.shared.format, leading: [("logger", label)])
        handler.metadata = metadata
        handler.log(event: event)
    }
}
