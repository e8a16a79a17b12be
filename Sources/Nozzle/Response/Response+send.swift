extension Response {
    /// Sets `Content-Type` as Express's `res.type` does: an extension or name (`"json"`, `"html"`,
    /// `".png"`, `"report.csv"`) is looked up, `application/octet-stream` when unknown; a full type is
    /// kept. Text, JSON and JavaScript get `charset=utf-8` unless a charset is given. Chainable.
    @discardableResult
    public func type(_ type: String) -> Response {
        setHeader("Content-Type", MediaTypes.contentType(type))
    }

    /// Sends a JSON value as `application/json; charset=utf-8`, with an ETag; 304 when the client's
    /// copy is fresh. A `Content-Type` the handler set is kept, with its charset made UTF-8.
    public func json(_ value: JSON) {
        guard beginSend("json") else { return }
        var body: [UInt8] = []
        body.reserveCapacity(128)
        value.write(into: &body)
        sendEntity(body, defaultType: "application/json; charset=utf-8", isText: true)
    }

    /// Sends text, as `text/html; charset=utf-8` unless a type was set (whose charset becomes UTF-8:
    /// the bytes are UTF-8), with an ETag; 304 when the client's copy is fresh.
    public func send(_ text: String) {
        guard beginSend("send") else { return }
        sendEntity(Array(text.utf8), defaultType: "text/html; charset=utf-8", isText: true)
    }

    /// Sends bytes, as `application/octet-stream` unless a type was set, with an ETag; 304 when the
    /// client's copy is fresh.
    public func send(_ bytes: [UInt8]) {
        guard beginSend("send") else { return }
        sendEntity(bytes, defaultType: "application/octet-stream", isText: false)
    }

    /// Sends a JSON value; `send(nil)` sends an empty body with no type, as Express's `res.send(null)`.
    public func send(_ value: JSON) {
        guard value == .null else { return json(value) }
        guard beginSend("send") else { return }
        sendEntity([], defaultType: nil, isText: false)
    }

    /// Ends the response with no body and no ETag, as `res.send()` with nothing does.
    public func send() { end() }

    /// Sets the status and sends its message as text: `res.sendStatus(404)` sends `Not Found`, and a
    /// code without a standard message sends the number itself.
    public func sendStatus(_ code: Int) {
        status(code)
        type("txt")
        send(HTTPStatus.message(code) ?? String(code))
    }

    /// What `res.send` does with a body, as in Express 5: the type, the ETag, freshness, then the
    /// header block and the body.
    func sendEntity(_ body: [UInt8], defaultType: String?, isText: Bool) {
        if let current = headers["Content-Type"] {
            if isText { headers.set("Content-Type", MediaTypes.setCharset(current, "utf-8")) }
        } else if let defaultType {
            headers.set("Content-Type", defaultType)
        }
        // A 204 or 304 has no body to tag.
        if etagMode != .off, !headers.contains("ETag"), !HTTPStatus.forbidsBody(statusCode) {
            headers.set("ETag", EntityTag.make(body, weak: etagMode == .weak))
        }
        if let request, request.fresh { statusCode = 304 }
        writeComplete(body: body)
    }
}
