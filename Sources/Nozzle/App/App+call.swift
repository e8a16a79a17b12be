extension App {
    /// Runs one request through the app in-process, with no web server and no socket, and returns
    /// the CGI output: the header block, a blank line, the body.
    ///
    /// The variables are what nginx would send: `SCRIPT_NAME` decoded, `REQUEST_URI` raw.
    ///
    /// - Parameters:
    ///   - method: the request method.
    ///   - target: the path with an optional query: `/api/users?page=2`.
    ///   - headers: header fields; `Content-Type` and `Content-Length` become the CGI variables.
    ///   - body: the body bytes.
    ///   - environment: extra variables, which override the ones derived here.
    ///   - contentLength: what `CONTENT_LENGTH` says: the body's size unless given; `.some(nil)` leaves it out.
    ///   - requestID: the request id its log lines carry.
    ///   - logWriter: where the request's log lines go.
    public func call(
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        environment: [String: String] = [:],
        contentLength: String?? = .none,
        requestID: String = "call",
        logWriter: any LogWriter
    ) async -> [UInt8] {
        let mark = target.firstIndex(of: "?")
        let path = mark.map { String(target[..<$0]) } ?? target
        let query = mark.map { String(target[target.index(after: $0)...]) } ?? ""
        var variables: [String: String] = [
            "GATEWAY_INTERFACE": "CGI/1.1",
            "REQUEST_METHOD": method.uppercased(),
            "SCRIPT_NAME": PercentDecoding.decode(path),
            "QUERY_STRING": query,
            "REQUEST_URI": target,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "REMOTE_ADDR": "127.0.0.1",
            "REMOTE_PORT": "40000",
        ]
        switch contentLength {
        case .none: variables["CONTENT_LENGTH"] = body.isEmpty ? "" : String(body.count)
        case .some(nil): break
        case .some(.some(let value)): variables["CONTENT_LENGTH"] = value
        }
        for (name, value) in headers {
            let variable = String(name.uppercased().map { $0 == "-" ? "_" : $0 })
            if variable == "CONTENT_TYPE" || variable == "CONTENT_LENGTH" {
                variables[variable] = value
            } else {
                let key = "HTTP_" + variable
                variables[key] = variables[key].map { $0 + ", " + value } ?? value
            }
        }
        variables.merge(environment) { _, new in new }
        let sink = BufferedResponseSink()
        await RequestPipeline(app: self).run(
            variables: CGIEnvironment(variables), body: BufferedBodySource(body), sink: sink, id: requestID, logWriter: logWriter)
        return sink.bytes
    }
}
