/// The fields and files of a `multipart/form-data` body.
public struct MultipartForm: Sendable {
    /// One uploaded file.
    public struct File: Sendable {
        /// The form field's name.
        public var field: String
        /// The file name the client gave.
        public var filename: String
        /// The part's `Content-Type`; `application/octet-stream` when absent.
        public var contentType: String
        /// The file's bytes.
        public var data: [UInt8]
    }

    /// The text fields; a repeated name is a list.
    public var fields = Query()
    /// The files, in order.
    public var files: [File] = []

    /// The form as JSON: fields, and each file's name, type and size.
    public var json: JSON {
        [
            "fields": fields.json,
            "files": .array(files.map { file in
                ["field": .string(file.field), "filename": .string(file.filename), "contentType": .string(file.contentType), "size": .int(file.data.count)]
            }),
        ]
    }
}

/// Parses a `multipart/form-data` body (RFC 7578) held in memory; the body parser's size limit has
/// already bounded it.
package struct MultipartParser {
    package struct Failure: Error {
        var reason: String
    }

    package static func parse(_ body: [UInt8], boundary: String) throws(Failure) -> MultipartForm {
        guard !boundary.isEmpty, boundary.utf8.count <= 200 else { throw Failure(reason: "invalid boundary") }
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n--\(boundary)".utf8)
        var form = MultipartForm()
        // The first delimiter may follow a preamble, and need not have a CRLF before it.
        guard var cursor = find(delimiter, in: body, from: 0) else { throw Failure(reason: "no boundary found") }
        if cursor > 0 {
            guard let afterPreamble = find(separator, in: body, from: 0) else { throw Failure(reason: "no boundary found") }
            cursor = afterPreamble + 2
        }
        cursor += delimiter.count
        while true {
            if body.count >= cursor + 2, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") { return form }
            // Transport padding may follow the boundary before its CRLF.
            while cursor < body.count, body[cursor] == UInt8(ascii: " ") || body[cursor] == UInt8(ascii: "\t") { cursor += 1 }
            guard body.count >= cursor + 2, body[cursor] == 13, body[cursor + 1] == 10 else {
                throw Failure(reason: "expected a line break after the boundary at byte \(cursor)")
            }
            cursor += 2
            let headerEnd: Int
            if body.count >= cursor + 2, body[cursor] == 13, body[cursor + 1] == 10 {
                headerEnd = cursor - 2  // a part with no headers
            } else if let end = find([13, 10, 13, 10], in: body, from: cursor) {
                headerEnd = end
            } else {
                throw Failure(reason: "a part's headers do not end")
            }
            let headers = headerEnd > cursor ? parseHeaders(body[cursor..<headerEnd]) : [:]
            let contentStart = headerEnd + 4
            guard let contentEnd = find(separator, in: body, from: contentStart) else {
                throw Failure(reason: "the closing boundary is missing")
            }
            let content = Array(body[contentStart..<contentEnd])
            cursor = contentEnd + separator.count
            guard let disposition = headers["content-disposition"] else { throw Failure(reason: "a part has no Content-Disposition") }
            let parameters = HeaderParameters.parse(disposition)
            guard let name = parameters.values["name"] else { throw Failure(reason: "a part has no field name") }
            if let filename = parameters.values["filename"] {
                form.files.append(.init(field: name, filename: filename, contentType: headers["content-type"] ?? "application/octet-stream", data: content))
            } else {
                form.fields.append(name, String(decoding: content, as: UTF8.self))
            }
        }
    }

    static func parseHeaders(_ bytes: ArraySlice<UInt8>) -> [String: String] {
        var headers: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].trimmingCharacters(in: " ").lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: " ")
        }
        return headers
    }

    /// The first index of `needle` in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}

/// `type; name="value"; other=token` as in Content-Type and Content-Disposition.
struct HeaderParameters {
    var value: String
    var values: [String: String]

    static func parse(_ header: String) -> HeaderParameters {
        var characters = Substring(header)
        let value = characters.prefix { $0 != ";" }
        characters = characters.dropFirst(value.count)
        var values: [String: String] = [:]
        while characters.first == ";" {
            characters = characters.dropFirst().drop { $0 == " " || $0 == "\t" }
            let name = characters.prefix { $0 != "=" && $0 != ";" }
            characters = characters.dropFirst(name.count)
            guard characters.first == "=" else { continue }
            characters = characters.dropFirst()
            var parsed = ""
            if characters.first == "\"" {
                characters = characters.dropFirst()
                while let character = characters.first, character != "\"" {
                    characters = characters.dropFirst()
                    if character == "\\", let escaped = characters.first {
                        parsed.append(escaped)
                        characters = characters.dropFirst()
                    } else {
                        parsed.append(character)
                    }
                }
                characters = characters.dropFirst()
                characters = characters.drop { $0 != ";" }
            } else {
                let token = characters.prefix { $0 != ";" }
                parsed = token.trimmingCharacters(in: " ")
                characters = characters.dropFirst(token.count)
            }
            values[name.trimmingCharacters(in: " ").lowercased()] = parsed
        }
        return HeaderParameters(value: value.trimmingCharacters(in: " "), values: values)
    }
}
