#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Response {
    /// Sends any `Encodable` value as JSON with `application/json; charset=utf-8`.
    ///
    /// ```swift
    /// res.status(201).json(user)
    /// ```
    @_disfavoredOverload  // a literal such as ["id": 3] is a JSON value: ordered, and no Foundation round trip
    public func json<Value: Encodable>(_ value: Value) {
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            data = try encoder.encode(value)
        } catch {
            log.error("res.json() could not encode \(Value.self): \(error)")
            status(500)
            json(["error": "Internal server error"] as JSON)
            return
        }
        guard beginSend("json") else { return }
        if !headers.contains("Content-Type") { headers.set("Content-Type", "application/json; charset=utf-8") }
        writeComplete(body: [UInt8](data))
    }

    /// Sends any `Encodable` value as JSON.
    @_disfavoredOverload
    public func send<Value: Encodable>(_ value: Value) { json(value) }
}
