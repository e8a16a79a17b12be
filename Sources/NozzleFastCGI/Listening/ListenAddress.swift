/// Where `--listen` asks the app to listen.
enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// `127.0.0.1:9000` or `[::1]:9000`; `host` nil means every interface (`:9000`).
    case tcp(host: String?, port: UInt16)
    /// `unix:/run/app.sock`.
    case unix(path: String)

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    init(parsing text: String) throws(ParseError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw ParseError(description: "--listen unix: needs a path, such as unix:/run/app.sock") }
            guard path.utf8.count < 108 else { throw ParseError(description: "unix socket path is too long (at most 107 bytes): \(path)") }
            self = .unix(path: path)
            return
        }
        if text.hasPrefix("/") {
            self = .unix(path: text)
            return
        }
        guard let colon = text.lastIndex(of: ":") else {
            throw ParseError(description: "--listen takes HOST:PORT, [IPv6]:PORT, :PORT or unix:/path, not '\(text)'")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = UInt16(portText), port > 0 else {
            throw ParseError(description: "--listen: '\(portText)' is not a port number (1-65535)")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self = .tcp(host: host.isEmpty ? nil : host, port: port)
    }

    var description: String {
        switch self {
        case .tcp(let host?, let port) where host.contains(":"): "[\(host)]:\(port)"
        case .tcp(let host?, let port): "\(host):\(port)"
        case .tcp(nil, let port): ":\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }
}
