/// The body parser: reads the body within the route's size limit and parses it by `Content-Type`.
///
/// - `application/json` and `*+json`: ``RequestBody/json(_:)``; invalid JSON is a 400 naming the position.
/// - `application/x-www-form-urlencoded`: ``RequestBody/form(_:)``; repeated keys become lists.
/// - `text/*`: ``RequestBody/text(_:)``, decoded with its charset.
/// - `multipart/form-data`: ``RequestBody/multipart(_:)``, fields and files.
/// - anything else: ``RequestBody/bytes(_:)``.
///
/// A body over the limit is a 413 `{"error":"Body exceeded 1mb limit"}`, decided before reading when
/// `CONTENT_LENGTH` says so, and while reading otherwise. Bytes past the limit are never buffered.
/// An unsupported charset or `Content-Encoding` is a 415. The counts a body may hold are limited as
/// well (``BodyParserConfig``), each with a 413 naming its option. Every parser runs in time linear in
/// the body, whatever it holds. Errors never reach the handler.
struct BodyParser: Middleware {
    let config: BodyParserConfig

    func handle(_ req: Request, _ res: Response, next: Next) async throws {
        try await parse(req)
        try await next()
    }

    func parse(_ req: Request) async throws {
        if let header = req.variables["HTTP_CONTENT_ENCODING"] {
            let encoding = header.trimmingCharacters(in: " ").lowercased()
            guard encoding == "identity" || encoding.isEmpty else {
                throw HTTPError(415, body: ["error": .string("Unsupported content encoding \"\(encoding)\"")])
            }
        }
        let limit = config.sizeLimit.bytes ?? 0
        let bytes: [UInt8]
        do {
            bytes = try await req.readBody(limit: limit)
        } catch is BodyTooLarge {
            throw HTTPError(413, "Body exceeded \(config.sizeLimit.text) limit")
        }
        guard !bytes.isEmpty else {
            req.body = .none
            return
        }
        let contentType = MediaType(req.contentType ?? "")
        let charset = contentType.parameters["charset"]?.lowercased()
        if contentType.isJSON {
            guard charset == nil || charset == "utf-8" || charset == "utf8" else { throw BodyParser.unsupported(charset!) }
            do {
                req.body = .json(try JSON(parsing: bytes, limits: config.jsonLimits))
            } catch {
                switch error.limit {
                case .depth?: throw HTTPError.limitExceeded("JSON nested too deeply", option: "jsonDepthLimit", max: config.jsonDepthLimit)
                case .members?: throw HTTPError.limitExceeded("Too many members in a JSON object", option: "jsonMemberLimit", max: config.jsonMemberLimit)
                case nil: throw HTTPError(400, body: ["error": "Invalid JSON", "reason": .string(error.reason), "position": .int(error.position)])
                }
            }
        } else if contentType.essence == "application/x-www-form-urlencoded" {
            guard charset == nil || charset == "utf-8" || charset == "utf8" else { throw BodyParser.unsupported(charset!) }
            do {
                req.body = .form(try bytes.withUnsafeBufferPointer { bytes throws(ParameterLimitExceeded) in
                    try Query(bytes: bytes, parameterLimit: config.parameterLimit)
                })
            } catch {
                throw HTTPError.limitExceeded("Too many parameters", option: "parameterLimit", max: config.parameterLimit)
            }
        } else if contentType.type == "text" {
            guard let text = BodyParser.decode(bytes, charset: charset ?? "utf-8") else { throw BodyParser.unsupported(charset!) }
            req.body = .text(text)
        } else if contentType.essence == "multipart/form-data" {
            guard let boundary = contentType.parameters["boundary"] else {
                throw HTTPError(400, body: ["error": "Invalid multipart body", "reason": "the Content-Type has no boundary"])
            }
            let headerLimit = config.partHeaderSizeLimit.bytes ?? 16_384
            do {
                req.body = .multipart(try MultipartParser.parse(bytes, boundary: boundary, partLimit: config.partLimit, headerSizeLimit: headerLimit))
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
        } else {
            req.body = .bytes(bytes)
        }
    }

    static func unsupported(_ charset: String) -> HTTPError {
        HTTPError(415, body: ["error": .string("Unsupported charset \"\(charset)\"")])
    }

    /// Text in the charsets a web client sends; nil for any other.
    static func decode(_ bytes: [UInt8], charset: String) -> String? {
        switch charset {
        case "utf-8", "utf8", "us-ascii", "ascii":
            return String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1", "latin1", "iso8859-1", "l1":
            var text = ""
            text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
            return text
        default:
            return nil
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
        let parsed = HeaderParameters.parse(value)
        essence = parsed.value.lowercased()
        parameters = parsed.values
    }

    /// The part before the `/`.
    var type: Substring { essence.utf8.firstIndex(of: UInt8(ascii: "/")).map { essence[..<$0] } ?? Substring(essence) }
    var isJSON: Bool { essence == "application/json" || essence.utf8.suffix(5).elementsEqual("+json".utf8) }
}
