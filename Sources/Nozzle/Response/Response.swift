import Synchronization

/// An HTTP response under construction, with the methods Express and Next.js users know.
///
/// ```swift
/// res.status(201).json(["id": 3, "created": true])
/// res.send("Post: \(pid)")
/// res.redirect("/login")
/// ```
///
/// The response goes out as a CGI header block and a body. A response is sent once: a second send is
/// a programming error that is logged and ignored, so the client never sees corrupt output.
///
/// - Important: Like ``Request``, a response belongs to one chain of middleware and handler at a time.
public final class Response: @unchecked Sendable {
    /// The status code to send; 200 unless set.
    public private(set) var statusCode = 200
    /// The header fields to send.
    public var headers = Headers()
    /// Whether the header block has gone out; after that, status and headers no longer change.
    public var headersSent: Bool { state.withLock { $0.headersSent } }
    /// How many body bytes have gone out, for access logs.
    public var bytesSent: Int { state.withLock { $0.bytesSent } }
    /// Whether the response is complete.
    public var finished: Bool { state.withLock { $0.finished } }

    package let sink: any ResponseSink
    let omitsBody: Bool
    let log: RequestLog

    /// What has gone out. Another task may end the response while the handler runs (a timeout, or
    /// `externalResolver`), so every write to the sink happens under this lock, once.
    struct SendState {
        var headersSent = false
        var finished = false
        var bytesSent = 0
        /// The status that went out, when a timeout answered instead of the handler.
        var preemptedStatus: Int?
        var finishHandlers: [@Sendable () -> Void] = []
    }
    private let state = Mutex(SendState())

    /// A response that writes to `sink`.
    ///
    /// - Parameters:
    ///   - sink: where the bytes go.
    ///   - method: the request method; a `HEAD` response sends headers only.
    ///   - log: where programming errors, such as sending twice, are reported.
    public init(sink: any ResponseSink, method: String = "GET", log: RequestLog) {
        self.sink = sink
        self.omitsBody = method == "HEAD"
        self.log = log
    }

    /// Sets the status code; chainable.
    @discardableResult
    public func status(_ code: Int) -> Response {
        if headersSent {
            if preemptedStatus == nil { log.error("res.status(\(code)) called after the headers were sent") }
        } else {
            statusCode = code
        }
        return self
    }

    /// Sets a header, replacing any of the same name; chainable.
    @discardableResult
    public func setHeader(_ name: String, _ value: String) -> Response {
        if headersSent {
            if preemptedStatus == nil { log.error("res.setHeader(\"\(name)\") called after the headers were sent") }
        } else {
            headers.set(name, value)
        }
        return self
    }

    /// Adds a header, keeping others of the same name; chainable.
    @discardableResult
    public func appendHeader(_ name: String, _ value: String) -> Response {
        if headersSent {
            if preemptedStatus == nil { log.error("res.appendHeader(\"\(name)\") called after the headers were sent") }
        } else {
            headers.add(name, value)
        }
        return self
    }

    /// The first value of a header, or nil.
    public func getHeader(_ name: String) -> String? { headers[name] }

    /// Removes a header; chainable.
    @discardableResult
    public func removeHeader(_ name: String) -> Response {
        if !headersSent { headers.remove(name) }
        return self
    }

    /// Sets `Content-Type`: a full type, or a short name such as `json`, `html`, `text`; chainable.
    @discardableResult
    public func type(_ type: String) -> Response {
        setHeader("Content-Type", MediaTypes.expand(type))
    }

    /// Sends a JSON value with `application/json; charset=utf-8`.
    public func json(_ value: JSON) {
        guard beginSend("json") else { return }
        if !headers.contains("Content-Type") { headers.set("Content-Type", "application/json; charset=utf-8") }
        var body: [UInt8] = []
        body.reserveCapacity(128)
        value.write(into: &body)
        writeComplete(body: body)
    }

    /// Sends text; it goes out as `text/html; charset=utf-8` unless a type was set.
    public func send(_ text: String) {
        guard beginSend("send") else { return }
        if !headers.contains("Content-Type") { headers.set("Content-Type", "text/html; charset=utf-8") }
        writeComplete(body: Array(text.utf8))
    }

    /// Sends bytes; they go out as `application/octet-stream` unless a type was set.
    public func send(_ bytes: [UInt8]) {
        guard beginSend("send") else { return }
        if !headers.contains("Content-Type") { headers.set("Content-Type", "application/octet-stream") }
        writeComplete(body: bytes)
    }

    /// Sends a JSON value; `send(nil)` just ends the response, as Express's `res.send(null)` does.
    public func send(_ value: JSON) {
        if value == .null { end() } else { json(value) }
    }

    /// Ends the response with no (further) body.
    public func send() { end() }

    /// Sets the status and sends its reason phrase as text: `res.sendStatus(404)` sends `Not Found`.
    public func sendStatus(_ code: Int) {
        status(code)
        if !headers.contains("Content-Type") { headers.set("Content-Type", "text/plain; charset=utf-8") }
        send(HTTPStatus.reason(code))
    }

    /// Sets `Location`; chainable.
    @discardableResult
    public func location(_ url: String) -> Response { setHeader("Location", url) }

    /// Redirects with `Location`: 302 unless a status is given.
    public func redirect(_ status: Int = 302, _ url: String) {
        self.status(status)
        location(url)
        if !headers.contains("Content-Type") { headers.set("Content-Type", "text/plain; charset=utf-8") }
        send("\(HTTPStatus.reason(status)). Redirecting to \(url)")
    }

    /// Redirects to `url` with 302.
    public func redirect(_ url: String) { redirect(302, url) }

    /// Streams a chunk: the header block goes out with the first chunk, and every chunk is flushed
    /// to the web server at once, as server-sent events need.
    public func write(_ bytes: [UInt8]) {
        if !headersSent, !headers.contains("Content-Type") { headers.set("Content-Type", "text/html; charset=utf-8") }
        let head = headersSent ? [] : self.head(contentLength: nil)
        let sendsBody = !omitsBody && !HTTPStatus.forbidsBody(statusCode)
        let written = state.withLock { state -> Bool in
            guard !state.finished else { return false }
            if !state.headersSent {
                state.headersSent = true
                sink.write(head)
            }
            if sendsBody {
                sink.write(bytes)
                state.bytesSent += bytes.count
            }
            return true
        }
        guard written else {
            if preemptedStatus == nil { log.error("res.write() called after the response was finished") }
            return
        }
        sink.flush()
    }

    /// Streams text; see ``write(_:)-([UInt8])``.
    public func write(_ text: String) { write(Array(text.utf8)) }

    /// Finishes the response. Without a body sent, it goes out with `Content-Length: 0`.
    public func end() {
        let head = headersSent ? [] : self.head(contentLength: HTTPStatus.forbidsBody(statusCode) ? nil : 0)
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.finished else { return [] }
            if !state.headersSent {
                state.headersSent = true
                sink.write(head)
            }
            return Response.markFinished(&state)
        }
        for handler in handlers { handler() }
    }

    /// Ends the response with `text` as its body, as Node's `res.end(data)`; plain text unless a type was set.
    public func end(_ text: String) {
        guard beginSend("end") else { return }
        if !headers.contains("Content-Type") { headers.set("Content-Type", "text/plain; charset=utf-8") }
        writeComplete(body: Array(text.utf8))
    }

    /// Runs `handler` once the response is finished.
    package func onFinish(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.finished { return true }
            state.finishHandlers.append(handler)
            return false
        }
        if runNow { handler() }
    }

    /// Answers in the handler's place, from another task, unless the handler has already started
    /// its answer: for a timeout. Whatever the handler sends afterwards is dropped. Returns whether
    /// this answer went out.
    package func preempt(status: Int, json body: JSON) -> Bool {
        var bytes = Array("Status: \(status) \(HTTPStatus.reason(status))\r\nContent-Type: application/json; charset=utf-8\r\n".utf8)
        let content = omitsBody ? [] : body.bytes
        bytes += Array("Content-Length: \(body.bytes.count)\r\n\r\n".utf8) + content
        let (sent, handlers) = state.withLock { state -> (Bool, [@Sendable () -> Void]) in
            guard !state.finished else { return (false, []) }
            let handlers = Response.markFinished(&state)
            guard !state.headersSent else { return (false, handlers) }
            state.headersSent = true
            state.preemptedStatus = status
            state.bytesSent = content.count
            sink.write(bytes)
            return (true, handlers)
        }
        for handler in handlers { handler() }
        return sent
    }

    /// The status a timeout sent in the handler's place, if it did.
    package var preemptedStatus: Int? { state.withLock { $0.preemptedStatus } }

    /// The status the client got: the handler's, or the one sent in its place.
    package var sentStatus: Int { preemptedStatus ?? statusCode }

    // MARK: - Writing

    func beginSend(_ name: String) -> Bool {
        let (finished, headersSent, preempted) = state.withLock { ($0.finished, $0.headersSent, $0.preemptedStatus != nil) }
        if finished || headersSent {
            if !preempted { log.error("res.\(name)() called after the response was sent; ignored") }
            return false
        }
        return true
    }

    func writeComplete(body: [UInt8]) {
        let sendsBody = !HTTPStatus.forbidsBody(statusCode)
        if !sendsBody { headers.remove("Content-Type") }
        let head = self.head(contentLength: sendsBody ? body.count : nil)
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.finished, !state.headersSent else { return [] }
            state.headersSent = true
            if sendsBody && !omitsBody && !body.isEmpty {
                // A small body goes out with its header block as one piece; a large one is not copied.
                if body.count <= 4096 { sink.write(head + body) } else { sink.write(head); sink.write(body) }
                state.bytesSent += body.count
            } else {
                sink.write(head)
            }
            return Response.markFinished(&state)
        }
        for handler in handlers { handler() }
    }

    /// Marks the response finished and hands back the handlers to run, outside the lock.
    static func markFinished(_ state: inout SendState) -> [@Sendable () -> Void] {
        state.finished = true
        defer { state.finishHandlers = [] }
        return state.finishHandlers
    }

    /// The CGI header block: the `Status:` line, the fields, and the blank line.
    func head(contentLength: Int?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + headers.count * 32)
        out.append(contentsOf: "Status: ".utf8)
        out.append(contentsOf: String(statusCode).utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: HTTPStatus.reason(statusCode).utf8)
        out.append(contentsOf: "\r\n".utf8)
        for (name, value) in headers where !Headers.sameName(name, "Content-Length") {
            Response.appendField(name, value, to: &out)
        }
        if let contentLength {
            out.append(contentsOf: "Content-Length: ".utf8)
            out.append(contentsOf: String(contentLength).utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }

    /// Appends one field; CR and LF in a name or value would split the header block, so they become spaces.
    static func appendField(_ name: String, _ value: String, to out: inout [UInt8]) {
        appendSafely(name, to: &out, colonToo: true)
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: " "))
        appendSafely(value, to: &out, colonToo: false)
        out.append(13)
        out.append(10)
    }

    static func appendSafely(_ text: String, to out: inout [UInt8], colonToo: Bool) {
        var text = text
        text.withUTF8 { bytes in
            let clean = !bytes.contains { $0 == 13 || $0 == 10 || (colonToo && $0 == UInt8(ascii: ":")) }
            if clean {
                out.append(contentsOf: bytes)
            } else {
                for byte in bytes { out.append(byte == 13 || byte == 10 || (colonToo && byte == UInt8(ascii: ":")) ? 0x20 : byte) }
            }
        }
    }
}
