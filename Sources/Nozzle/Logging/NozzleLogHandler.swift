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
    /// Fields written first, in this order: a request's id, method and path.
    let leading: [(String, String)]

    /// A handler writing to `writer` in `format`.
    public init(writer: any LogWriter, format: LogFormat = .logfmt) {
        self.init(writer: writer, format: format, leading: [])
    }

    package init(writer: any LogWriter, format: LogFormat, leading: [(String, String)]) {
        self.writer = writer
        self.format = format
        self.leading = leading
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        // The request's fields first, in their order (metadata of the same name wins), then the rest sorted.
        var fields = leading.map { key, value in (key, merged.removeValue(forKey: key).map { "\($0)" } ?? value) }
        for key in merged.keys.sorted() { fields.append((key, "\(merged[key]!)")) }
        writer.write(format.line(level: event.level, message: "\(event.message)", metadata: fields))
    }
}
