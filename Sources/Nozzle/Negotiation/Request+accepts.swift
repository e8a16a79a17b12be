extension Request {
    /// The best of `types` for this request's `Accept` header, as Express's `req.accepts` picks it:
    /// the highest quality wins, and among equals the type listed first in `types`. Nil when the
    /// client accepts none of them. With no `Accept` header, the first type.
    ///
    /// Types are short names (`"json"`, `"html"`, `"text"`) or media types (`"application/json"`).
    ///
    /// ```swift
    /// switch req.accepts("json", "html") {
    /// case "html": res.redirect(303, "/")
    /// default: res.json(["ok": true])
    /// }
    /// ```
    public func accepts(_ types: String...) -> String? {
        accepts(types)
    }

    /// The best of `types` for this request's `Accept` header; see ``accepts(_:)-(String...)``.
    public func accepts(_ types: [String]) -> String? {
        let ranges = AcceptRange.parse(headers["Accept"] ?? "")
        guard !ranges.isEmpty else { return types.first }
        var best: (type: String, quality: Double)?
        for type in types {
            let mediaType = MediaTypes.expand(type).split(separator: ";")[0].lowercased()
            let quality = ranges.filter { $0.matches(mediaType) }.max { $0.specificity < $1.specificity }?.quality ?? 0
            if quality > (best?.quality ?? 0) { best = (type, quality) }
        }
        return best?.type
    }
}

/// One entry of an `Accept` header: `text/html`, `application/*;q=0.8`, `*/*;q=0.1`.
struct AcceptRange {
    var type: Substring
    var subtype: Substring
    var quality: Double

    /// 2 for `type/subtype`, 1 for `type/*`, 0 for `*/*`: the most specific match decides the quality.
    var specificity: Int { type == "*" ? 0 : subtype == "*" ? 1 : 2 }

    func matches(_ mediaType: String) -> Bool {
        let parts = mediaType.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return false }
        return (type == "*" || type == parts[0]) && (subtype == "*" || subtype == parts[1])
    }

    static func parse(_ header: String) -> [AcceptRange] {
        header.lowercased().split(separator: ",").compactMap { entry in
            let fields = entry.split(separator: ";").map { $0.trimmingCharacters(in: " ") }
            guard let range = fields.first else { return nil }
            let parts = range.split(separator: "/", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            var quality = 1.0
            for parameter in fields.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            return AcceptRange(type: parts[0], subtype: parts[1], quality: min(max(quality, 0), 1))
        }
    }
}

