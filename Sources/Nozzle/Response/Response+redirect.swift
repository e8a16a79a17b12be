extension Response {
    /// Sets `Location`, percent-encoded as Express's `encodeurl` does: what a URL may not hold is
    /// encoded, and escapes already there are kept. Chainable.
    @discardableResult
    public func location(_ url: String) -> Response { setHeader("Location", URLEncoding.encode(url)) }

    /// Redirects with `Location`: 302 unless a status is given.
    ///
    /// The body is negotiated as Express 5 builds it: a line of text for a client that prefers
    /// `text/plain` (or sends no `Accept`), a small HTML page for one that prefers `text/html`, and
    /// nothing for one that accepts neither; `Vary: Accept` says so.
    public func redirect(_ status: Int = 302, _ url: String) {
        location(url)
        let address = getHeader("Location") ?? url
        let message = HTTPStatus.message(status) ?? String(status)
        var body = ""
        // With no request to ask (a response built by hand), text.
        let choice: String? = request.map { $0.accepts("text", "html") } ?? "text"
        switch choice {
        case "text":
            setHeader("Content-Type", "text/plain; charset=utf-8")
            body = "\(message). Redirecting to \(address)"
        case "html":
            setHeader("Content-Type", "text/html; charset=utf-8")
            body = "<!DOCTYPE html><head><title>\(message)</title></head><body><p>\(message). Redirecting to \(HTMLEscaping.escape(address))</p></body>"
        default:
            removeHeader("Content-Type")
        }
        vary("Accept")
        self.status(status)
        end(body, type: nil)
    }

    /// Redirects to `url` with 302.
    public func redirect(_ url: String) { redirect(302, url) }

    /// Redirects as Next.js's `res.redirect` does, for routes ported from it: 307 unless a status is
    /// given, `Location` exactly as written, and the URL itself as the body.
    public func nextRedirect(_ status: Int = 307, _ url: String) {
        self.status(status)
        setHeader("Location", url)
        end(url, type: nil)
    }

    /// Redirects as Next.js's `res.redirect(url)` does: 307.
    public func nextRedirect(_ url: String) { nextRedirect(307, url) }

    /// Adds `field` to `Vary`, once; chainable.
    @discardableResult
    public func vary(_ field: String) -> Response {
        let existing = getHeader("Vary").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: " ") } } ?? []
        if existing.contains("*") || existing.contains(where: { $0.lowercased() == field.lowercased() }) { return self }
        return setHeader("Vary", (existing + [field]).joined(separator: ", "))
    }

    /// Ends with `text` as it is, as Node's `res.end(data)`: no ETag, no charset, the type as set.
    func end(_ text: String, type: String?) {
        guard beginSend("end") else { return }
        if let type, !headers.contains("Content-Type") { headers.set("Content-Type", type) }
        writeComplete(body: Array(text.utf8))
    }
}

/// Percent-encoding of URLs as Express's `encodeurl` does it.
enum URLEncoding {
    /// `url` with every byte a URL may not hold percent-encoded (as UTF-8), and a `%` that does
    /// not start an escape encoded as `%25`; valid escapes stay as they are, so nothing is encoded
    /// twice.
    static func encode(_ url: String) -> String {
        let bytes = Array(url.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let hex = Array("0123456789ABCDEF".utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, PercentDecoding.hexValue(bytes[index + 1]) != nil, PercentDecoding.hexValue(bytes[index + 2]) != nil {
                out += bytes[index...index + 2]
                index += 3
                continue
            }
            if byte != UInt8(ascii: "%"), isAllowed(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes encodeurl leaves alone: `!`, `#` to `;`, `=`, `?` to `_`, `a` to `z`, `|`, `~`.
    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x3B, 0x3D, 0x3F...0x5F, 0x61...0x7A, 0x7C, 0x7E: true
        default: false
        }
    }
}

/// HTML escaping as Express's `escape-html`: `&`, `<`, `>`, `"` and `'`.
enum HTMLEscaping {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
