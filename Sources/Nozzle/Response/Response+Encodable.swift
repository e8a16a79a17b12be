extension Response {
    /// Sends any `Encodable` value as JSON with `application/json; charset=utf-8`, keys in the order
    /// the type encodes them.
    ///
    /// ```swift
    /// res.status(201).json(user)
    /// ```
    @_disfavoredOverload  // a literal such as ["id": 3] is a JSON value
    public func json<Value: Encodable>(_ value: Value) {
        let body: [UInt8]
        do {
            body = try JSONBytesEncoder.encode(value)
        } catch {
            log.error("res.json() could not encode \(Value.self): \(error)")
            status(500)
            json(["error": "Internal server error"] as JSON)
            return
        }
        guard beginSend("json") else { return }
        sendEntity(body, defaultType: "application/json; charset=utf-8", isText: true)
    }

    /// Sends any `Encodable` value as JSON.
    @_disfavoredOverload
    public func send<Value: Encodable>(_ value: Value) { json(value) }
}
