/// The body parser: reads the body within the route's size limit and parses it by `Content-Type`.
///
/// - `application/json` and `*+json`: ``RequestBody/json(_:)``; invalid JSON is a 400 naming the position.
/// - `application/x-www-form-urlencoded`: ``RequestBody/form(_:)``; repeated keys become lists.
/// - `text/*`: ``RequestBody/text(_:)``.
/// - anything else: ``RequestBody/bytes(_:)``.
///
/// A body over the limit is a 413 `{"error":"Body exceeded 1mb limit"}`, decided before reading when
/// `CONTENT_LENGTH` says so, and while reading otherwise. Bytes past the limit are never buffered.
struct BodyParser: Middleware {
    let config: BodyParserConfig

    func handle(_ req: Request, _ res: Response, next: Next) async throws {
        try parse(req)
        try await next()
    }

    func parse(_ req: Request) throws {
        let limit = config.sizeLimit.bytes ?? 0
        let bytes: [UInt8]
        do {
            bytes = try req.readBody(limit: limit)
        } catch is BodyTooLarge {
            throw HTTPError(413, "Body exceeded \(config.sizeLimit.text) limit")
        }
        guard !bytes.isEmpty else {
            req.body = .none
            return
        }
        let contentType = MediaType(req.headers["Content-Type"] ?? "")
        if contentType.isJSON {
            do {
                req.body = .json(try JSON(parsing: bytes))
            } catch {
                throw HTTPError(400, body: ["error": "Invalid JSON", "reason": .string(error.reason), "position": .int(error.position)])
            }
        } else if contentType.essence == "application/x-www-form-urlencoded" {
            req.body = .form(Query(parsing: String(decoding: bytes, as: UTF8.self)))
        } else if contentType.type == "text" {
            req.body = .text(String(decoding: bytes, as: UTF8.self))
        } else {
            req.body = .bytes(bytes)
        }
    }
}

/// A parsed `Content-Type` value.
struct MediaType {
    /// `type/subtype`, lower case.
    let essence: String
    /// The parameters, names lower case.
    let parameters: [String: String]

    init(_ value: String) {
        let parts = value.split(separator: ";")
        essence = parts.first.map { $0.trimmingCharacters(in: " ").lowercased() } ?? ""
        var parameters: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            var value = pair[1].trimmingCharacters(in: " ")
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            parameters[pair[0].trimmingCharacters(in: " ").lowercased()] = value
        }
        self.parameters = parameters
    }

    var type: Substring { essence.split(separator: "/").first ?? "" }
    var isJSON: Bool { essence == "application/json" || essence.hasSuffix("+json") }
}
