/// The query string's parameters, with route params merged in.
///
/// `query["x"]` is the first value; `query.all("x")` gives every value of a repeated key. A route
/// param wins over a query key of the same name, as in Next.js, and a catch-all param is always an
/// array.
public struct Query: Sendable, Sequence {
    /// One key's value: a single string, or a list (a repeated key, or a catch-all param).
    public enum Value: Sendable, Hashable {
        case one(String)
        case many([String])

        /// Every value, in order.
        public var values: [String] {
            switch self {
            case .one(let value): [value]
            case .many(let values): values
            }
        }

        var json: JSON {
            switch self {
            case .one(let value): .string(value)
            case .many(let values): .array(values.map(JSON.string))
            }
        }
    }

    /// The keys and values in order of first appearance.
    public private(set) var entries: [(key: String, value: Value)] = []

    /// An empty query.
    public init() {}

    /// Parses an `application/x-www-form-urlencoded` string such as `a=1&b=2&a=3`.
    public init(parsing string: some StringProtocol) {
        guard !string.isEmpty else { return }
        var text = String(string)
        text.withUTF8 { bytes in
            // Split on bytes: '&' and '=' are ASCII, so no UTF-8 sequence contains them.
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "&") { end += 1 }
                if end > start {
                    var equals = start
                    while equals < end && bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                    let key = Query.component(UnsafeBufferPointer(rebasing: bytes[start..<equals]))
                    let value = equals < end ? Query.component(UnsafeBufferPointer(rebasing: bytes[(equals + 1)..<end])) : ""
                    append(key, value)
                }
                start = end + 1
            }
        }
    }

    static func component(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let plain = !bytes.contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }
        let text = String(decoding: bytes, as: UTF8.self)
        return plain ? text : PercentDecoding.decodeFormComponent(text)
    }

    /// The first value of `key`, or nil.
    public subscript(key: String) -> String? {
        entries.first { $0.key == key }?.value.values.first
    }

    /// Every value of `key`, in order; empty when it is absent.
    public func all(_ key: String) -> [String] {
        entries.first { $0.key == key }?.value.values ?? []
    }

    /// The value of `key` as given, or nil.
    public func value(_ key: String) -> Value? { entries.first { $0.key == key }?.value }

    /// Adds a value; a key seen before becomes a list.
    public mutating func append(_ key: String, _ value: String) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].value = .many(entries[index].value.values + [value])
        } else {
            entries.append((key, .one(value)))
        }
    }

    /// Sets `key`, replacing what was there.
    public mutating func set(_ key: String, _ value: Value) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].value = value
        } else {
            entries.append((key, value))
        }
    }

    /// Whether there are no keys.
    public var isEmpty: Bool { entries.isEmpty }

    /// The query as a JSON object: single values are strings, lists are arrays.
    public var json: JSON {
        .object(JSONObject(entries.map { ($0.key, $0.value.json) }))
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: Value)]> { entries.makeIterator() }
}
