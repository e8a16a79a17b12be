/// The worst inputs we know for each parser, built at a given size: what an attacker sends under
/// the body limit to make a quadratic parser hold a thread for minutes. The worst-case tests send
/// them in-process and through nginx, and the benchmarks time them.
package enum HostileInput {
    /// `k=1&k=1&…`: one key repeated, so a parser that copies a key's list on each repeat is quadratic.
    package static func repeatedFormKey(bytes size: Int) -> [UInt8] { repeating("k=1&", toFill: size) }

    /// `k&k&…`: bare keys with no `=`.
    package static func bareFormKeys(bytes size: Int) -> [UInt8] { repeating("k&", toFill: size) }

    /// `k0=1&k1=1&…`: distinct keys, so a parser that searches its keys linearly is quadratic.
    package static func distinctFormKeys(bytes size: Int) -> [UInt8] {
        filled(bytes: size) { "k\($0)=1&" }.bytes
    }

    /// The number of `&`-separated pairs in a form body.
    package static func formPairs(_ body: [UInt8]) -> Int {
        body.split(separator: UInt8(ascii: "&")).count
    }

    /// `{"k0":1,"k1":1,…}`: one object with as many distinct keys as fit.
    package static func wideJSONObject(bytes size: Int) -> (body: [UInt8], members: Int) {
        let filled = filled(bytes: size, open: "{", close: "}") { "\($0 == 0 ? "" : ",")\"k\($0)\":1" }
        return (filled.bytes, filled.count)
    }

    /// `{"k0":{"a":1},"k1":{"a":1},…` cut off at `size` bytes: many small objects, then invalid.
    package static func truncatedObjectOfObjects(bytes size: Int) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(size + 32)
        var index = 0
        while out.count < size {
            out += Array("\(index == 0 ? "" : ",")\"k\(index)\":{\"a\":1}".utf8)
            index += 1
        }
        return Array(out.prefix(size))
    }

    /// `[[[[…` nested `depth` deep, closed properly.
    package static func deepJSONArray(depth: Int) -> [UInt8] {
        [UInt8](repeating: UInt8(ascii: "["), count: depth) + [UInt8](repeating: UInt8(ascii: "]"), count: depth)
    }

    /// `["\u0041\u0041…"]`: one string made of escapes.
    package static func escapedJSONString(bytes size: Int) -> [UInt8] {
        let count = max(0, (size - 4) / 6)
        return Array("[\"".utf8) + repeating("\\u0041", toFill: count * 6) + Array("\"]".utf8)
    }

    /// A multipart body of as many small parts as fit, all named `k` or each named differently, and
    /// its boundary.
    package static func manyMultipartParts(bytes size: Int, distinctNames: Bool = false) -> (body: [UInt8], boundary: String, parts: Int) {
        let boundary = "hostileboundary"
        let filled = filled(bytes: size, close: "--\(boundary)--\r\n") { index in
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"k\(distinctNames ? String(index) : "")\"\r\n\r\nv\r\n"
        }
        return (filled.bytes, boundary, filled.count)
    }

    /// `[0,1,2,…]`: a long array of numbers.
    package static func longJSONArray(bytes size: Int) -> (body: [UInt8], elements: Int) {
        let filled = filled(bytes: size, open: "[", close: "]") { "\($0 == 0 ? "" : ",")\($0 % 10)" }
        return (filled.bytes, filled.count)
    }

    /// One multipart field whose value is made of near-misses of the boundary: `\r\n--hostileboundar`
    /// again and again, so a naive search restarts at every byte.
    package static func multipartNearMisses(bytes size: Int) -> (body: [UInt8], boundary: String, valueBytes: Int) {
        let boundary = "hostileboundary"
        let head = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\n".utf8)
        let end = Array("\r\n--\(boundary)--\r\n".utf8)
        let value = repeating("\r\n--\(boundary.dropLast())", toFill: max(0, size - head.count - end.count))
        return (head + value + end, boundary, value.count)
    }

    /// A multipart body whose one part has a header block that never ends.
    package static func endlessPartHeader(bytes size: Int) -> (body: [UInt8], boundary: String) {
        let boundary = "hostileboundary"
        let head = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"k\"\r\n".utf8)
        return (head + repeating("X-Pad: a\r\n", toFill: max(0, size - head.count)), boundary)
    }

    /// `🇫🇷🇫🇷…`: regional-indicator pairs, the text that makes walking `Character`s backwards quadratic.
    package static func flags(bytes size: Int) -> String {
        String(decoding: repeating("🇫🇷", toFill: size), as: UTF8.self)
    }

    /// A `Cookie` header of `a=1; a=1; …` with tabs and quotes.
    package static func cookieHeader(bytes size: Int) -> String {
        String(decoding: repeating("\ta=\"1\" ;", toFill: size), as: UTF8.self)
    }

    /// An `Accept` header of many ranges with parameters.
    package static func acceptHeader(bytes size: Int) -> String {
        String(decoding: repeating("text/x;q=0.5;a=\"b\",", toFill: size), as: UTF8.self)
    }

    /// A path of `size` bytes: one-letter segments with percent escapes.
    package static func longPath(bytes size: Int) -> String {
        "/api" + String(decoding: repeating("/%41", toFill: size), as: UTF8.self)
    }

    /// `open`, then `element(0)`, `element(1)`, … as long as they fit in `size` bytes with `close`,
    /// then `close`; and how many elements there are.
    package static func filled(bytes size: Int, open: String = "", close: String = "", _ element: (Int) -> String) -> (bytes: [UInt8], count: Int) {
        var out = Array(open.utf8)
        out.reserveCapacity(size)
        var count = 0
        while true {
            let next = Array(element(count).utf8)
            guard out.count + next.count + close.utf8.count <= size else { break }
            out += next
            count += 1
        }
        return (out + Array(close.utf8), count)
    }

    /// `text` repeated while it fits in `size` bytes.
    package static func repeating(_ text: String, toFill size: Int) -> [UInt8] {
        let unit = Array(text.utf8)
        guard !unit.isEmpty else { return [] }
        var out: [UInt8] = []
        out.reserveCapacity(size)
        for _ in 0..<(size / unit.count) { out += unit }
        return out
    }
}
