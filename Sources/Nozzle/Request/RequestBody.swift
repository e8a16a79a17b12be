/// A request body after the body parser has read it.
public enum RequestBody: Sendable {
    /// No body: the request had none (no `Content-Length` and no `Transfer-Encoding`, or an empty
    /// body with no `Content-Type`), the parser is off, or it has not run yet.
    case none
    /// `application/json` or `*+json`.
    case json(JSON)
    /// `text/*`, decoded with its charset.
    case text(String)
    /// `application/x-www-form-urlencoded`; a repeated key is a list.
    case form(Query)
    /// `application/x-www-form-urlencoded` read with ``BodyParserConfig/extended``: `user[name]=Ada`
    /// nested as `{"user":{"name":"Ada"}}`.
    case nestedForm(JSON)
    /// `multipart/form-data`: fields and files.
    case multipart(MultipartForm)
    /// Anything else, as bytes.
    case bytes([UInt8])

    /// The JSON value, when the body was JSON.
    public var json: JSON? {
        if case .json(let value) = self { return value }
        return nil
    }

    /// The text, when the body was text.
    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The fields, when the body was a URL-encoded form.
    public var form: Query? {
        if case .form(let value) = self { return value }
        return nil
    }

    /// The fields and files, when the body was multipart.
    public var multipart: MultipartForm? {
        if case .multipart(let value) = self { return value }
        return nil
    }

    /// The body as a JSON value, whatever its type: what an echo route would send back.
    public var jsonRepresentation: JSON {
        switch self {
        case .none: .null
        case .json(let value): value
        case .text(let value): .string(value)
        case .form(let query): query.json
        case .nestedForm(let value): value
        case .multipart(let form): form.json
        case .bytes(let bytes): .string(Base64.encode(bytes))
        }
    }

    /// The kind of body: `none`, `json`, `text`, `form`, `multipart` or `bytes`.
    public var kind: String {
        switch self {
        case .none: "none"
        case .json: "json"
        case .text: "text"
        case .form, .nestedForm: "form"
        case .multipart: "multipart"
        case .bytes: "bytes"
        }
    }
}

/// Base64 for showing binary bodies as text, and for entity tags.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let count = (bytes.count + 2) / 3 * 4
        return bytes.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: count) { out in write(bytes, into: out, at: 0, limit: count) }
        }
    }

    /// Writes the base64 text of `bytes`, padded with `=`, into `out` from `start`, but no more than
    /// its first `limit` characters (an entity tag leaves out the padding); returns the index after
    /// the last character written. `out` must have room for them.
    static func write(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int, limit: Int) -> Int {
        let table: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let end = start + limit
        var index = start
        var offset = 0
        table.withUTF8Buffer { table in
            while offset < bytes.count && index < end {
                let b0 = bytes[offset]
                let b1 = offset + 1 < bytes.count ? bytes[offset + 1] : 0
                let b2 = offset + 2 < bytes.count ? bytes[offset + 2] : 0
                out[index] = table[Int(b0 >> 2)]
                index += 1
                guard index < end else { break }
                out[index] = table[Int((b0 & 0x3) << 4 | b1 >> 4)]
                index += 1
                guard index < end else { break }
                out[index] = offset + 1 < bytes.count ? table[Int((b1 & 0xF) << 2 | b2 >> 6)] : UInt8(ascii: "=")
                index += 1
                guard index < end else { break }
                out[index] = offset + 2 < bytes.count ? table[Int(b2 & 0x3F)] : UInt8(ascii: "=")
                index += 1
                offset += 3
            }
        }
        return index
    }
}
