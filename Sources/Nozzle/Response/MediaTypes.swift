/// Media types by file extension, and their charsets, as Express's `mime-types` resolves them for
/// `res.type` and `req.accepts`: `"json"`, `".html"`, `"foo.js"` or a full type.
enum MediaTypes {
    /// The common extensions, as mime-db maps them.
    static let byExtension: [String: String] = [
        "html": "text/html", "htm": "text/html", "shtml": "text/html", "css": "text/css",
        "js": "text/javascript", "mjs": "text/javascript", "cjs": "application/node",
        "json": "application/json", "map": "application/json", "jsonld": "application/ld+json",
        "txt": "text/plain", "text": "text/plain", "conf": "text/plain", "log": "text/plain", "ini": "text/plain",
        "csv": "text/csv", "tsv": "text/tab-separated-values", "md": "text/markdown", "markdown": "text/markdown",
        "xml": "application/xml", "xsl": "application/xml", "rss": "application/rss+xml", "atom": "application/atom+xml",
        "yaml": "text/yaml", "yml": "text/yaml", "ics": "text/calendar", "vtt": "text/vtt",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml",
        "webp": "image/webp", "avif": "image/avif", "ico": "image/vnd.microsoft.icon", "bmp": "image/bmp", "tif": "image/tiff",
        "tiff": "image/tiff", "heic": "image/heic",
        "pdf": "application/pdf", "zip": "application/zip", "gz": "application/gzip", "tar": "application/x-tar",
        "bin": "application/octet-stream", "exe": "application/octet-stream", "dll": "application/octet-stream",
        "wasm": "application/wasm", "rtf": "application/rtf", "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf",
        "mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg", "oga": "audio/ogg", "wav": "audio/wav", "weba": "audio/webm",
        "flac": "audio/x-flac", "mp4": "video/mp4", "webm": "video/webm", "ogv": "video/ogg", "mov": "video/quicktime",
        "avi": "video/x-msvideo", "mpeg": "video/mpeg",
        "manifest": "text/cache-manifest", "webmanifest": "application/manifest+json",
        "eml": "message/rfc822", "sh": "application/x-sh", "swift": "text/x-swift",
    ]

    /// The type for an extension or a file name; nil when unknown.
    static func lookup(_ name: String) -> String? {
        // As mime-types does: the extension of "x." + name, so "html", ".html" and "a/b.html" all work.
        let lower = name.lowercased()
        let ext = lower.split(separator: ".", omittingEmptySubsequences: false).last.map(String.init) ?? lower
        return byExtension[ext.isEmpty ? lower : ext]
    }

    /// The charset a type is sent in when none is given: UTF-8 for text and for JSON and JavaScript.
    static func defaultCharset(_ type: String) -> String? {
        let essence = type.split(separator: ";").first.map { $0.trimmingCharacters(in: " ").lowercased() } ?? ""
        if essence.hasPrefix("text/") || essence == "application/json" || essence == "application/javascript" {
            return "utf-8"
        }
        return nil
    }

    /// A `Content-Type` as Express's `res.type` sets it: an extension or name is looked up
    /// (`application/octet-stream` when unknown), and the default charset is added when the type has
    /// one and none is given.
    static func contentType(_ type: String) -> String {
        let resolved = type.contains("/") ? type : lookup(type) ?? "application/octet-stream"
        guard !resolved.lowercased().contains("charset"), let charset = defaultCharset(resolved) else { return resolved }
        return resolved + "; charset=" + charset
    }

    /// A short name or extension expanded to a media type, for matching: `json` gives
    /// `application/json`; a full type is kept as it is.
    static func expand(_ type: String) -> String {
        type.contains("/") ? type : lookup(type) ?? type
    }

    /// `type` with its charset set to `charset`, as Express's `setCharset` does: the type lower
    /// case, its other parameters kept in their order (a charset already there is replaced where it
    /// stands, a new one goes last), values quoted where they must be. Parameters that do not parse
    /// are dropped; a type that does not parse is kept as it is.
    static func setCharset(_ type: String, _ charset: String) -> String {
        let semicolon = type.firstIndex(of: ";") ?? type.endIndex
        let essence = HeaderParameters.parse(String(type[..<semicolon])).value.lowercased()
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(isTokenByte) }) else { return type }
        var parameters = orderedParameters(type[semicolon...]) ?? []
        if let index = parameters.firstIndex(where: { $0.name == "charset" }) {
            parameters[index].value = charset
        } else {
            parameters.append((name: "charset", value: charset))
        }
        var out = essence
        for (name, value) in parameters {
            out += "; " + name + "=" + (value.utf8.allSatisfy(isTokenByte) && !value.isEmpty ? value : quoted(value))
        }
        return out
    }

    /// The parameters after a media type, in order, names lower case, quoted values unescaped; nil
    /// when any of them does not parse (`; foo` with no value), as the `content-type` package says.
    /// A repeated name keeps its first place and its last value.
    static func orderedParameters(_ text: Substring) -> [(name: String, value: String)]? {
        var parameters: [(name: String, value: String)] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: ";") else { return nil }
            index += 1
            while index < bytes.count, HTTPText.isWhitespace(bytes[index]) { index += 1 }
            if index == bytes.count { break }
            let nameStart = index
            while index < bytes.count, isTokenByte(bytes[index]) { index += 1 }
            guard index > nameStart, index < bytes.count, bytes[index] == UInt8(ascii: "=") else { return nil }
            let name = String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased()
            index += 1
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                    value.append(bytes[index])
                    index += 1
                }
                guard index < bytes.count else { return nil }
                index += 1
            } else {
                while index < bytes.count, isTokenByte(bytes[index]) {
                    value.append(bytes[index])
                    index += 1
                }
                guard !value.isEmpty else { return nil }
            }
            while index < bytes.count, HTTPText.isWhitespace(bytes[index]) { index += 1 }
            let decoded = String(decoding: value, as: UTF8.self)
            if let existing = parameters.firstIndex(where: { $0.name == name }) {
                parameters[existing].value = decoded
            } else {
                parameters.append((name: name, value: decoded))
            }
        }
        return parameters
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+.^_`|~-".utf8.contains(byte)
        }
    }

    static func quoted(_ value: String) -> String {
        var out = "\""
        for character in value {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}
