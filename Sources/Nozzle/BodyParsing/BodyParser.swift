/// The body parser: reads the body within the route's size limit and parses it by `Content-Type`,
/// as Express's body-parser does.
///
/// - `application/json` and `*+json`: ``RequestBody/json(_:)``, in UTF-8, UTF-16 or UTF-32; only an
///   object or an array unless ``BodyParserConfig/strict`` is off; invalid JSON is a 400 naming the
///   position.
/// - `application/x-www-form-urlencoded`: ``RequestBody/form(_:)`` (repeated keys become lists), or
///   ``RequestBody/nestedForm(_:)`` with ``BodyParserConfig/extended``.
/// - `text/*`: ``RequestBody/text(_:)``, decoded with its charset.
/// - `multipart/form-data`: ``RequestBody/multipart(_:)``, fields and files.
/// - anything else: ``RequestBody/bytes(_:)``.
///
/// A request with no body (no `Content-Length` and no `Transfer-Encoding`) keeps ``RequestBody/none``.
/// An empty body is what body-parser gives: `{}` for JSON and forms, `""` for text, no bytes for the
/// rest (and `.none` when it has no `Content-Type`).
///
/// A body sent with `Content-Encoding` gzip, deflate or br is inflated first, and the size limit
/// applies to what it inflates to, checked as it inflates: a small zip bomb gets its 413 with little
/// memory spent. Over the limit is a 413 `{"error":"Body exceeded 1mb limit"}`, decided before
/// reading when `CONTENT_LENGTH` says so. An unsupported charset or `Content-Encoding` is a 415;
/// compressed data that is not valid is a 400. The counts a body may hold are limited as well
/// (``BodyParserConfig``), each with a 413 naming its option. Every parser runs in time linear in
/// the body, whatever it holds. Errors never reach the handler.
///
/// It runs before any middleware, as the first step of answering a routed request.
struct BodyParser {
    let config: BodyParserConfig

    /// Parses a body that needs no waiting, and says whether it did: a request with neither
    /// `Content-Length` nor `Transfer-Encoding`, nor a `Content-Encoding` to check, whose body has
    /// already ended empty (the web server sent the empty STDIN record with the params), has none.
    /// Otherwise ``parse(_:)`` reads it.
    func parseWithoutWaiting(_ req: Request) -> Bool {
        guard !req.hasBody, (req.variables[.contentEncoding] ?? "").isEmpty, req.bodySource.endedEmpty else { return false }
        req.body = .none
        return true
    }

    /// Reads the body and parses it into `req.body`.
    nonisolated(nonsending) func parse(_ req: Request) async throws {
        let encoding = (req.variables[.contentEncoding] ?? "").trimmingCharacters(in: " ").lowercased()
        var decompressor: BodyDecompressor?
        if !encoding.isEmpty && encoding != "identity" {
            guard config.inflate else { throw HTTPError(415, body: ["error": "Content encoding unsupported", "encoding": .string(encoding)]) }
            guard let inflater = BodyDecompressor(contentEncoding: encoding) else {
                throw HTTPError(415, body: ["error": .string("Unsupported content encoding \"\(encoding)\"")])
            }
            decompressor = inflater
        }
        let limit = config.sizeLimit.bytes ?? 0
        let bytes: [UInt8]
        do {
            bytes = try await req.readBody(limit: limit, decompressor: decompressor)
        } catch is BodyTooLarge {
            throw HTTPError(413, "Body exceeded \(config.sizeLimit.text) limit")
        } catch let error as BodyDecompressor.Malformed {
            throw HTTPError(400, body: ["error": "Invalid compressed body", "reason": .string(error.description)])
        }
        let contentType = MediaType(req.contentType ?? "")
        guard req.hasBody, !(bytes.isEmpty && contentType.essence.isEmpty) else {
            req.body = .none
            return
        }
        let charset = contentType.parameters["charset"]?.lowercased()
        if contentType.isJSON {
            req.body = .json(try parseJSON(bytes, charset: charset))
        } else if contentType.essence == "application/x-www-form-urlencoded" {
            req.body = try parseForm(bytes, charset: charset)
        } else if contentType.type == "text" {
            guard let text = Charsets.decode(bytes, charset: charset ?? "utf-8") else { throw BodyParser.unsupported(charset!) }
            req.body = .text(text)
        } else if contentType.essence == "multipart/form-data" {
            req.body = .multipart(try parseMultipart(bytes, boundary: contentType.parameters["boundary"]))
        } else {
            req.body = .bytes(bytes)
        }
    }

    func parseJSON(_ bytes: [UInt8], charset: String?) throws -> JSON {
        var text = bytes
        if let charset, charset != "utf-8", charset != "utf8" {
            // JSON is UTF-8, UTF-16 or UTF-32 (RFC 7159), as body-parser asserts.
            guard charset.hasPrefix("utf-"), let decoded = Charsets.decode(bytes, charset: charset) else { throw BodyParser.unsupported(charset) }
            text = Array(decoded.utf8)
        } else if text.starts(with: [0xEF, 0xBB, 0xBF]) {
            text.removeFirst(3)
        }
        // An empty JSON body is {}, a common client mistake that body-parser and Next.js both accept.
        guard !text.isEmpty else { return .object(JSONObject()) }
        if config.strict {
            let first = text.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
            guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
                let position = text.firstIndex { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D } ?? text.count
                throw HTTPError(400, body: [
                    "error": "Invalid JSON", "reason": "Only an object or an array is accepted (strict)", "position": .int(position),
                ])
            }
        }
        do {
            return try JSON(parsing: text, limits: config.jsonLimits)
        } catch {
            switch error.limit {
            case .depth?: throw HTTPError.limitExceeded("JSON nested too deeply", option: "jsonDepthLimit", max: config.jsonDepthLimit)
            case .members?: throw HTTPError.limitExceeded("Too many members in a JSON object", option: "jsonMemberLimit", max: config.jsonMemberLimit)
            case nil: throw HTTPError(400, body: ["error": "Invalid JSON", "reason": .string(error.reason), "position": .int(error.position)])
            }
        }
    }

    /// A form in UTF-8 or ISO-8859-1, the two charsets body-parser's `urlencoded` reads; in
    /// ISO-8859-1 its percent-escapes are bytes of that charset too (`%E9` is `é`), as qs reads them.
    func parseForm(_ bytes: [UInt8], charset: String?) throws -> RequestBody {
        let latin1: Bool
        switch charset {
        case nil, "utf-8", "utf8": latin1 = false
        case "iso-8859-1", "latin1": latin1 = true
        default: throw BodyParser.unsupported(charset!)
        }
        let query: Query
        do {
            query = try bytes.withUnsafeBufferPointer { bytes throws(ParameterLimitExceeded) in
                try Query(bytes: bytes, parameterLimit: config.parameterLimit, latin1: latin1)
            }
        } catch {
            throw HTTPError.limitExceeded("Too many parameters", option: "parameterLimit", max: config.parameterLimit)
        }
        guard config.extended else { return .form(query) }
        // As body-parser: arrays up to 100 elements, or as many as there are parameters.
        let options = NestedForm.Options(depth: config.depth, arrayLimit: max(100, query.count), strictDepth: true)
        do {
            return .nestedForm(try NestedForm.parse(query, options))
        } catch {
            throw HTTPError(400, body: ["error": "The input exceeded the depth", "limit": "depth", "max": .int(config.depth)])
        }
    }

    func parseMultipart(_ bytes: [UInt8], boundary: String?) throws -> MultipartForm {
        guard let boundary else {
            throw HTTPError(400, body: ["error": "Invalid multipart body", "reason": "the Content-Type has no boundary"])
        }
        let headerLimit = config.partHeaderSizeLimit.bytes ?? 16_384
        do {
            return try MultipartParser.parse(bytes, boundary: boundary, partLimit: config.partLimit, headerSizeLimit: headerLimit)
        } catch {
            switch error {
            case .malformed(let reason):
                throw HTTPError(400, body: ["error": "Invalid multipart body", "reason": .string(reason)])
            case .tooManyParts(let limit):
                throw HTTPError.limitExceeded("Too many parts in a multipart body", option: "partLimit", max: limit)
            case .headerTooLarge(let limit):
                throw HTTPError.limitExceeded("A multipart part's headers are too large", option: "partHeaderSizeLimit", max: limit)
            }
        }
    }

    static func unsupported(_ charset: String) -> HTTPError {
        HTTPError(415, body: ["error": .string("Unsupported charset \"\(charset.uppercased())\"")])
    }
}

/// A parsed `Content-Type` value.
struct MediaType {
    /// `type/subtype`, lower case.
    let essence: String
    /// The parameters, names lower case.
    let parameters: [String: String]

    init(_ value: String) {
        let parsed = HeaderParameters.parse(value)
        essence = parsed.value.lowercased()
        parameters = parsed.values
    }

    /// The part before the `/`.
    var type: Substring { essence.utf8.firstIndex(of: UInt8(ascii: "/")).map { essence[..<$0] } ?? Substring(essence) }
    var isJSON: Bool { essence == "application/json" || essence.utf8.suffix(5).elementsEqual("+json".utf8) }
}
