/// Short names for common media types, as `res.type("json")` accepts them.
enum MediaTypes {
    static func expand(_ type: String) -> String {
        if type.contains("/") { return type }
        switch type.lowercased().trimmingPrefix(".") {
        case "json": return "application/json; charset=utf-8"
        case "html", "htm": return "text/html; charset=utf-8"
        case "text", "txt": return "text/plain; charset=utf-8"
        case "xml": return "application/xml"
        case "js": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "form", "urlencoded": return "application/x-www-form-urlencoded"
        case "bin", "octet-stream": return "application/octet-stream"
        case "event-stream", "sse": return "text/event-stream"
        default: return "application/octet-stream"
        }
    }
}
