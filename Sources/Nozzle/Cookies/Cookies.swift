/// Parses a `Cookie` header: `a=1; b=hello%20world` gives `["a": "1", "b": "hello world"]`.
///
/// As the `cookie` package Express uses: the first value of a repeated name wins, spaces and tabs
/// around names and values are trimmed, one pair of double quotes around a value is removed, and a
/// value is percent-decoded unless its escapes are malformed, when it is kept as sent. One pass
/// over the bytes, whatever the header holds.
enum CookieParser {
    static func parse(_ header: String?) -> [String: String] {
        guard var header, !header.isEmpty else { return [:] }
        return header.withUTF8 { bytes in
            var cookies: [String: String] = [:]
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: ";") { end += 1 }
                var equals = start
                while equals < end && bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                if equals < end {
                    let name = HTTPText.trimmed(bytes, start..<equals)
                    if !name.isEmpty, cookies[name] == nil {
                        var valueStart = equals + 1
                        var valueEnd = end
                        while valueStart < valueEnd, HTTPText.isWhitespace(bytes[valueStart]) { valueStart += 1 }
                        while valueEnd > valueStart, HTTPText.isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
                        if valueEnd - valueStart >= 2, bytes[valueStart] == UInt8(ascii: "\""), bytes[valueEnd - 1] == UInt8(ascii: "\"") {
                            valueStart += 1
                            valueEnd -= 1
                        }
                        let value = UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd])
                        cookies[name] = PercentDecoding.decodeStrictly(value) ?? String(decoding: value, as: UTF8.self)
                    }
                }
                start = end + 1
            }
            return cookies
        }
    }
}

/// The attributes of a cookie set with ``Response/cookie(_:_:_:)``.
public struct CookieOptions: Sendable {
    /// `SameSite` values; ``unspecified`` writes no attribute.
    public enum SameSite: String, Sendable {
        case strict = "Strict", lax = "Lax", none = "None"
        case unspecified = ""
    }

    /// `Priority` values (a Chrome extension that the `cookie` package writes).
    public enum Priority: String, Sendable {
        case low = "Low", medium = "Medium", high = "High"
    }

    /// `Max-Age` in seconds; it also sets `Expires`, as Express does.
    public var maxAge: Int?
    /// `Expires`, as seconds since 1970.
    public var expires: Int?
    /// `Domain`.
    public var domain: String?
    /// `Path`; `/` unless set.
    public var path: String
    /// `Secure`.
    public var secure: Bool
    /// `HttpOnly`.
    public var httpOnly: Bool
    /// `SameSite`; none unless set.
    public var sameSite: SameSite
    /// `Partitioned`: a cookie kept apart per top-level site (CHIPS).
    public var partitioned: Bool
    /// `Priority`.
    public var priority: Priority?

    /// Cookie attributes; the path is `/` unless given.
    public init(
        maxAge: Int? = nil, expires: Int? = nil, domain: String? = nil, path: String = "/", secure: Bool = false, httpOnly: Bool = false,
        sameSite: SameSite = .unspecified, partitioned: Bool = false, priority: Priority? = nil
    ) {
        self.maxAge = maxAge
        self.expires = expires
        self.domain = domain
        self.path = path
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
        self.partitioned = partitioned
        self.priority = priority
    }

    /// The `Set-Cookie` value for `name=value` with these attributes, in the order the `cookie`
    /// package writes them.
    func header(name: String, value: String, now: Int) -> String {
        var parts = ["\(name)=\(CookieOptions.encode(value))"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if let domain { parts.append("Domain=\(domain)") }
        parts.append("Path=\(path)")
        if let expires = maxAge.map({ now + $0 }) ?? expires { parts.append("Expires=\(HTTPDate.format(expires))") }
        if httpOnly { parts.append("HttpOnly") }
        if secure { parts.append("Secure") }
        if partitioned { parts.append("Partitioned") }
        if let priority { parts.append("Priority=\(priority.rawValue)") }
        if sameSite != .unspecified { parts.append("SameSite=\(sameSite.rawValue)") }
        return parts.joined(separator: "; ")
    }

    /// Percent-encodes what a cookie value may not hold, as `encodeURIComponent` does.
    static func encode(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "~"), UInt8(ascii: "*"),
                UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}

extension Response {
    /// Adds a `Set-Cookie` header; chainable.
    ///
    /// ```swift
    /// res.cookie("session", token, CookieOptions(maxAge: 3600, httpOnly: true, sameSite: .lax))
    /// ```
    @discardableResult
    public func cookie(_ name: String, _ value: String, _ options: CookieOptions = CookieOptions()) -> Response {
        appendHeader("Set-Cookie", options.header(name: name, value: value, now: HTTPDate.now()))
    }

    /// Adds a `Set-Cookie` header that expires the cookie at once; chainable.
    @discardableResult
    public func clearCookie(_ name: String, _ options: CookieOptions = CookieOptions()) -> Response {
        var options = options
        options.maxAge = nil
        options.expires = 0
        return appendHeader("Set-Cookie", options.header(name: name, value: "", now: HTTPDate.now()))
    }
}
