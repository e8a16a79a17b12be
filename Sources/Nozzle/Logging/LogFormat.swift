public import Logging

/// How log lines are written: `logfmt` (the default) or one JSON object per line.
///
/// ```
/// time=2026-11-21T21:09:28Z level=error id=7f3a-12 method=POST path=/api/pay msg="handler threw: …"
/// {"time":"2026-11-21T21:09:28Z","level":"error","id":"7f3a-12","method":"POST","path":"/api/pay","msg":"handler threw: …"}
/// ```
public enum LogFormat: String, Sendable {
    case logfmt
    case json

    /// One line: the time, the level, the metadata in order, then the message.
    public func line(level: Logger.Level, message: String, metadata: [(String, String)]) -> String {
        let time = HTTPDate.iso8601(HTTPDate.now())
        switch self {
        case .logfmt:
            var fields = ["time=\(time)", "level=\(level.rawValue)"]
            for (key, value) in metadata { fields.append("\(key)=\(LogFormat.logfmtValue(value))") }
            fields.append("msg=\(LogFormat.logfmtValue(message, alwaysQuote: true))")
            return fields.joined(separator: " ")
        case .json:
            var object = JSONObject([("time", .string(time)), ("level", .string(level.rawValue))])
            for (key, value) in metadata { object[key] = .string(value) }
            object["msg"] = .string(message)
            return JSON.object(object).text
        }
    }

    /// A value as logfmt writes it: bare when it can be, quoted and escaped otherwise.
    static func logfmtValue(_ value: String, alwaysQuote: Bool = false) -> String {
        let bare = !alwaysQuote && !value.isEmpty && !value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.isNewline }
        if bare { return value }
        var escaped = "\""
        for character in value {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.append(character)
            }
        }
        return escaped + "\""
    }
}

extension HTTPDate {
    /// `2026-11-21T21:09:28Z`.
    static func iso8601(_ seconds: Int) -> String {
        // HTTP-date gives the civil fields; reorder them.
        let parts = format(seconds).split(separator: " ")  // Sat, 21 Nov 2026 21:09:28 GMT
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let month = (months.firstIndex(of: String(parts[2])) ?? 0) + 1
        return "\(parts[3])-\(month < 10 ? "0" : "")\(month)-\(parts[1])T\(parts[4])Z"
    }
}
