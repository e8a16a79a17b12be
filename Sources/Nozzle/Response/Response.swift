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
// Unchecked: status and headers are written by one chain of middleware and handler at a time (the
// `- Important:` above); what another task may do meanwhile (a timeout's answer) goes through `state`.
// Exclusivity unchecked on the stored `var`s: for the same reason, an overlapping access could only
// come from one chain's own code (`swap(&res.headers, &res.headers)`), and the runtime's check on
// every access cost about 4% of a hello GET (two dozen accesses a request, measured with callgrind).
public final class Response: @unchecked Sendable {
    /// The status code to send; 200 unless set.
    @exclusivity(unchecked) public internal(set) var statusCode = 200
    /// The reason phrase of the status line, as Node's and Next.js's `res.statusMessage`: the
    /// standard one for the code (`Not Found`) unless set. Web servers that keep a reason phrase
    /// (nginx, over HTTP/1.1) pass it on; HTTP/2 has none.
    ///
    /// ```swift
    /// res.status(400)
    /// res.statusMessage = "Invalid JSON"
    /// ```
    ///
    /// A phrase with a character outside visible ASCII, space and tab is a programming error, as
    /// Node treats it: it is logged, and the standard phrase goes out instead.
    @exclusivity(unchecked) public var statusMessage: String?
    /// The header fields to send.
    @exclusivity(unchecked) public var headers = Headers()
    /// Whether the header block has gone out; after that, status and headers no longer change.
    public var headersSent: Bool { state.withLock { $0.headersSent } }
    /// How many body bytes have gone out, for access logs.
    public var bytesSent: Int { state.withLock { $0.bytesSent } }
    /// Whether the response is complete.
    public var finished: Bool { state.withLock { $0.finished } }

    package let sink: any ResponseSink
    let omitsBody: Bool
    /// Set again by the request pipeline, before the chain runs, when the request is traced.
    @exclusivity(unchecked) var log: RequestLog
    /// How ``send(_:)-(String)`` and ``json(_:)-(JSON)`` tag what they send: ``App/etag``.
    @exclusivity(unchecked) package var etagMode = ETagMode.weak
    /// The request answered, for ``Request/fresh``. The request pipeline lets go of it when the
    /// request is over (a weak reference would put both objects' reference counts in side tables,
    /// and make every retain and release of them slower).
    @exclusivity(unchecked) package var request: Request?
    /// A code `status` refused: the response becomes a 500.
    @exclusivity(unchecked) var invalidStatus: Int?

    /// What has gone out. Another task may end the response while the handler runs (a timeout, or
    /// `externalResolver`), so every write to the sink happens under this lock, once.
    struct SendState {
        var headersSent = false
        var finished = false
        var bytesSent = 0
        /// The status that went out, when a timeout answered instead of the handler.
        var preemptedStatus: Int?
        var finishHandlers: [@Sendable () -> Void] = []
        /// What ``after(_:)`` was given before the response was handed over.
        var afterWork: [AfterResponseWork.Item] = []
        /// Whether the web server has the response: ``after(_:)`` starts its work at once then.
        var handedOver = false
    }
    let state = Mutex(SendState())
    /// Where ``after(_:)`` work runs: the app's, set by the request pipeline.
    @exclusivity(unchecked) package var afterResponse: AfterResponseWork?
    /// When the request began, as its pipeline counts time: for the time it took to answer.
    @exclusivity(unchecked) package var began = Duration.zero

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
    ///
    /// A code outside 100...999 is a programming error, as Express 5 treats it: it is logged, and
    /// the client gets 500 `{"error":"Internal server error"}` instead of whatever is sent next.
    @discardableResult
    public func status(_ code: Int) -> Response {
        if headersSent {
            if preemptedStatus == nil { log.error("res.status(\(code)) called after the headers were sent") }
        } else if !HTTPStatus.valid.contains(code) {
            log.error("res.status(\(code)): a status code must be from 100 to 999; answering 500")
            invalidStatus = code
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

    /// Streams a chunk: the header block goes out with the first chunk, and every chunk is flushed
    /// to the web server at once, as server-sent events need.
    public func write(_ bytes: [UInt8]) {
        if invalidStatus != nil, !headersSent {
            answerInvalidStatus()
            return
        }
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
        if invalidStatus != nil, !headersSent {
            answerInvalidStatus()
            return
        }
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
        if invalidStatus != nil {
            answerInvalidStatus()
            return false
        }
        return true
    }

    /// What goes out after `res.status` was given a code outside 100...999.
    func answerInvalidStatus() {
        invalidStatus = nil
        statusCode = 500
        statusMessage = nil
        for name in ["Content-Type", "Content-Length", "ETag", "Location"] { headers.remove(name) }
        headers.set("Content-Type", "application/json; charset=utf-8")
        writeComplete(body: Array(#"{"error":"Internal server error"}"#.utf8))
    }

    /// Sends the header block and `body`, once: 204 and 304 go without a body, `Content-Type`,
    /// `Content-Length` or `Transfer-Encoding`; 205 with no body and `Content-Length: 0`.
    func writeComplete(body: [UInt8]) {
        var body = body
        if statusCode == 205 {
            body = []
            headers.remove("Transfer-Encoding")
        }
        let sendsBody = !HTTPStatus.forbidsBody(statusCode)
        if !sendsBody {
            headers.remove("Content-Type")
            headers.remove("Transfer-Encoding")
        }
        let writesBody = sendsBody && !omitsBody && !body.isEmpty
        // A small body goes out with its header block as one piece; a large one is not copied.
        let together = writesBody && body.count <= 4096
        var head = self.head(contentLength: sendsBody ? body.count : nil, reserving: together ? body.count : 0)
        if together { head.append(contentsOf: body) }
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.finished, !state.headersSent else { return [] }
            state.headersSent = true
            if writesBody {
                sink.write(head)
                if !together { sink.write(body) }
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

    /// The CGI header block: the `Status:` line, the fields, and the blank line; with room after it
    /// for `extra` bytes of body. Written on the stack into room measured first, then copied once.
    func head(contentLength: Int?, reserving extra: Int = 0) -> [UInt8] {
        let reason = HTTPStatus.reason(statusCode)
        // "Status: ", the code, a space, the handler's reason or the standard one, CRLF; the fields
        // with ": " and CRLF each; "Content-Length: ", its digits and CRLF; the blank line.
        var room = 8 + 20 + 1 + max(statusMessage?.utf8.count ?? 0, reason.utf8.count) + 2 + 16 + 20 + 2 + 2
        for (name, value) in headers { room += name.utf8.count + value.utf8.count + 4 }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) { room in
            var out = ByteWriter(into: room)
            out.write("Status: ")
            out.write(decimal: statusCode)
            out.write(UInt8(ascii: " "))
            if let statusMessage {
                writeReason(statusMessage, standard: reason, to: &out)
            } else {
                out.write(reason)
            }
            out.write("\r\n")
            for (name, value) in headers where !Headers.sameName(name, "Content-Length") {
                Response.writeField(name, value, to: &out)
            }
            if let contentLength {
                out.write("Content-Length: ")
                out.write(decimal: contentLength)
                out.write("\r\n")
            }
            out.write("\r\n")
            var head: [UInt8] = []
            head.reserveCapacity(out.count + extra)
            head.append(contentsOf: out.written)
            return head
        }
    }

    /// Writes a reason phrase the handler set, or the standard one when it has a character a
    /// status line may not carry.
    func writeReason(_ phrase: String, standard: String, to out: inout ByteWriter) {
        if phrase.utf8.allSatisfy({ $0 == 9 || (32...126).contains($0) }) {
            out.write(phrase)
        } else {
            log.error("res.statusMessage has a character a status line cannot carry; sending \"\(standard)\"")
            out.write(standard)
        }
    }

    /// Writes one field; CR and LF in a name or value would split the header block, so they become spaces.
    static func writeField(_ name: String, _ value: String, to out: inout ByteWriter) {
        writeSafely(name, to: &out, colonToo: true)
        out.write(UInt8(ascii: ":"))
        out.write(UInt8(ascii: " "))
        writeSafely(value, to: &out, colonToo: false)
        out.write(13)
        out.write(10)
    }

    static func writeSafely(_ text: String, to out: inout ByteWriter, colonToo: Bool) {
        func isUnsafe(_ byte: UInt8) -> Bool { byte == 13 || byte == 10 || (colonToo && byte == UInt8(ascii: ":")) }
        HTTPText.withBytes(of: text) { bytes in
            if !HTTPText.hasFieldBreak(bytes, colonToo: colonToo) {
                out.write(bytes)
            } else {
                for byte in bytes { out.write(isUnsafe(byte) ? 0x20 : byte) }
            }
        }
    }
}
