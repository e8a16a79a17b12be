public import Logging

/// A swift-log handler that writes ``LogFormat`` lines to a ``LogWriter``.
///
/// The host installs it for every request's logger, so `req.logger` is a plain swift-log `Logger`
/// whose lines carry the request id, method and path.
public struct NozzleLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let writer: any LogWriter
    let format: LogFormat
    /// Metadata keys written first, in this order; the rest follow sorted.
    static let leadingKeys = ["id", "method", "path"]

    /// A handler writing to `writer` in `format`.
    public init(writer: any LogWriter, format: LogFormat = .logfmt) {
        self.writer = writer
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var fields: [(String, String)] = []
        for key in NozzleLogHandler.leadingKeys { if let value = merged[key] { fields.append((key, "\(value)")) } }
        for key in merged.keys.sorted() where !NozzleLogHandler.leadingKeys.contains(key) { fields.append((key, "\(merged[key]!)")) }
        writer.write(format.line(level: event.level, message: "\(event.message)", metadata: fields))
    }
}
