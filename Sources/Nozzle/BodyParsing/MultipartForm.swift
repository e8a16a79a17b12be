#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// Parses a `multipart/form-data` body (RFC 7578) held in memory, in time linear in its size; the
/// body parser's size limit has already bounded it. Public only to the fuzz targets.
@_spi(Fuzzing) public struct MultipartParser {
    /// Why a body was refused.
    public enum Failure: Error, Equatable {
        /// The body is not valid multipart: 400.
        case malformed(String)
        /// More parts than the limit: 413.
        case tooManyParts(limit: Int)
        /// A part's header block is larger than the limit: 413.
        case headerTooLarge(limit: Int)
    }

    /// Parses `body`, split by `boundary`, within the limits on parts and on each part's header bytes.
    public static func parse(_ body: [UInt8], boundary: String, partLimit: Int = .max, headerSizeLimit: Int = 16_384) throws(Failure) -> MultipartForm {
        guard !boundary.isEmpty, boundary.utf8.count <= 200 else { throw .malformed("invalid boundary") }
        let delimiter = ByteSearch(Array("--\(boundary)".utf8))
        let separator = ByteSearch(Array("\r\n--\(boundary)".utf8))
        let headerEnd = ByteSearch([13, 10, 13, 10])
        var form = MultipartForm()
        var parts = 0
        // The first delimiter may follow a preamble, and need not have a CRLF before it.
        guard var cursor = delimiter.firstIndex(in: body, from: 0) else { throw .malformed("no boundary found") }
        if cursor > 0 {
            guard let afterPreamble = separator.firstIndex(in: body, from: 0) else { throw .malformed("no boundary found") }
            cursor = afterPreamble + 2
        }
        cursor += delimiter.needle.count
        while true {
            if body.count >= cursor + 2, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") { return form }
            parts += 1
            if parts > partLimit { throw .tooManyParts(limit: partLimit) }
            // Transport padding may follow the boundary before its CRLF.
            while cursor < body.count, HTTPText.isWhitespace(body[cursor]) { cursor += 1 }
            guard body.count >= cursor + 2, body[cursor] == 13, body[cursor + 1] == 10 else {
                throw .malformed("expected a line break after the boundary at byte \(cursor)")
            }
            cursor += 2
            let headersEnd: Int
            if body.count >= cursor + 2, body[cursor] == 13, body[cursor + 1] == 10 {
                headersEnd = cursor - 2  // a part with no headers
            } else if let end = headerEnd.firstIndex(in: body, from: cursor, before: min(body.count, cursor + headerSizeLimit + 4)) {
                headersEnd = end
            } else if body.count - cursor > headerSizeLimit {
                throw .headerTooLarge(limit: headerSizeLimit)
            } else {
                throw .malformed("a part's headers do not end")
            }
            if headersEnd - cursor > headerSizeLimit { throw .headerTooLarge(limit: headerSizeLimit) }
            let headers = headersEnd > cursor ? parseHeaders(body, cursor..<headersEnd) : [:]
            let contentStart = headersEnd + 4
            guard let contentEnd = separator.firstIndex(in: body, from: contentStart) else {
                throw .malformed("the closing boundary is missing")
            }
            cursor = contentEnd + separator.needle.count
            guard let disposition = headers["content-disposition"] else { throw .malformed("a part has no Content-Disposition") }
            let parameters = HeaderParameters.parse(disposition)
            guard let name = parameters.values["name"] else { throw .malformed("a part has no field name") }
            if let filename = parameters.values["filename"] {
                let content = Array(body[contentStart..<contentEnd])
                form.files.append(.init(field: name, filename: filename, contentType: headers["content-type"] ?? "application/octet-stream", data: content))
            } else {
                form.fields.append(name, String(decoding: body[contentStart..<contentEnd], as: UTF8.self))
            }
        }
    }

    /// A part's header lines, `Name: value`, names lower case; the first of a repeated name wins.
    static func parseHeaders(_ body: [UInt8], _ range: Range<Int>) -> [String: String] {
        var headers: [String: String] = [:]
        body.withUnsafeBufferPointer { bytes in
            var lineStart = range.lowerBound
            while lineStart < range.upperBound {
                var lineEnd = lineStart
                while lineEnd < range.upperBound, !(bytes[lineEnd] == 13 && lineEnd + 1 < range.upperBound && bytes[lineEnd + 1] == 10) { lineEnd += 1 }
                var colon = lineStart
                while colon < lineEnd, bytes[colon] != UInt8(ascii: ":") { colon += 1 }
                if colon < lineEnd {
                    let name = HTTPText.trimmed(bytes, lineStart..<colon).lowercased()
                    if headers[name] == nil { headers[name] = HTTPText.trimmed(bytes, (colon + 1)..<lineEnd) }
                }
                lineStart = lineEnd + 2
            }
        }
        return headers
    }
}

/// Finds a byte string in a buffer in time linear in the buffer, whatever either holds
/// (Knuth–Morris–Pratt): a boundary that almost matches everywhere costs no more than one that
/// never does.
struct ByteSearch {
    let needle: [UInt8]
    /// For each prefix of the needle, the length of its longest proper prefix that is also a suffix.
    private let fallback: [Int]

    init(_ needle: [UInt8]) {
        precondition(!needle.isEmpty)
        self.needle = needle
        var fallback = [Int](repeating: 0, count: needle.count)
        var length = 0
        for index in 1..<max(1, needle.count) {
            while length > 0 && needle[index] != needle[length] { length = fallback[length - 1] }
            if needle[index] == needle[length] { length += 1 }
            fallback[index] = length
        }
        self.fallback = fallback
    }

    /// The first index of the needle at or after `start` that ends at or before `end`.
    func firstIndex(in haystack: [UInt8], from start: Int, before end: Int? = nil) -> Int? {
        let end = min(end ?? haystack.count, haystack.count)
        guard start < end else { return nil }
        return haystack.withUnsafeBufferPointer { bytes -> Int? in
            needle.withUnsafeBufferPointer { needle -> Int? in
                var matched = 0
                var index = start
                while index < end {
                    if matched == 0 {
                        // Nothing matched yet: skip straight to the next candidate first byte.
                        guard let found = memchr(bytes.baseAddress! + index, Int32(needle[0]), end - index) else { return nil }
                        index = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    }
                    while matched > 0 && bytes[index] != needle[matched] { matched = fallback[matched - 1] }
                    if bytes[index] == needle[matched] { matched += 1 }
                    if matched == needle.count { return index + 1 - needle.count }
                    index += 1
                }
                return nil
            }
        }
    }
}
