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
    var type: String
    var subtype: String
    var quality: Double

    /// 2 for `type/subtype`, 1 for `type/*`, 0 for `*/*`: the most specific match decides the quality.
    var specificity: Int { type == "*" ? 0 : subtype == "*" ? 1 : 2 }

    func matches(_ mediaType: String) -> Bool {
        let parts = mediaType.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return false }
        return (type == "*" || type == parts[0]) && (subtype == "*" || subtype == parts[1])
    }

    /// The entries of an `Accept` header, in one pass over its bytes.
    static func parse(_ header: String) -> [AcceptRange] {
        var header = header
        return header.withUTF8 { bytes in
            var ranges: [AcceptRange] = []
            var start = 0
            for end in 0...bytes.count where end == bytes.count || bytes[end] == UInt8(ascii: ",") {
                defer { start = end + 1 }
                let entry = HeaderParameters.parse(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                let range = entry.value.lowercased()
                guard let slash = range.utf8.firstIndex(of: UInt8(ascii: "/")) else { continue }
                let type = String(range[..<slash])
                let subtype = String(range[range.utf8.index(after: slash)...])
                guard !type.isEmpty, !subtype.isEmpty else { continue }
                let quality = entry.values["q"].flatMap { Double($0) } ?? 1
                ranges.append(AcceptRange(type: type, subtype: subtype, quality: min(max(quality, 0), 1)))
            }
            return ranges
        }
    }
}
