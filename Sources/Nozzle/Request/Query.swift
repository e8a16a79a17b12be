public import OrderedCollections

/// The query string's parameters, with route params merged in.
///
/// `query["x"]` is the first value; `query.all("x")` gives every value of a repeated key. A route
/// param wins over a query key of the same name, as in Next.js, and a catch-all param is always an
/// array. Lookups and appends take constant time, so a hostile query or form costs time in
/// proportion to its length.
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

        /// The first value.
        public var first: String? {
            switch self {
            case .one(let value): value
            case .many(let values): values.first
            }
        }

        var json: JSON {
            switch self {
            case .one(let value): .string(value)
            case .many(let values): .array(values.map(JSON.string))
            }
        }

        /// Adds a value in place: the list is never copied, however long it grows.
        mutating func append(_ value: String) {
            switch self {
            case .one(let first):
                self = .many([first, value])
            case .many(var values):
                // Release this enum's reference first, so the list is uniquely held and grows in place.
                self = .one("")
                values.append(value)
                self = .many(values)
            }
        }
    }

    /// The parameters in order of first appearance.
    private var storage: OrderedDictionary<String, Value> = [:]
    /// Set under `app.queryParser = .extended`: ``json`` reads bracketed keys into nested values.
    var nesting: NestedForm.Options?

    /// The keys and values in order of first appearance.
    public var entries: [(key: String, value: Value)] { storage.elements.map { ($0.key, $0.value) } }

    /// An empty query.
    public init() {}

    /// Parses an `application/x-www-form-urlencoded` string such as `a=1&b=2&a=3`, with no limit
    /// on the number of parameters.
    public init(parsing string: some StringProtocol) {
        // A limit of Int.max is never reached.
        self = (try? Query(parsing: string, parameterLimit: .max)) ?? Query()
    }

    /// Parses an `application/x-www-form-urlencoded` string, as body-parser does with its
    /// `parameterLimit`.
    ///
    /// - Throws: ``ParameterLimitExceeded`` when it holds more than `parameterLimit` parameters,
    ///   found before any of them is decoded.
    public init(parsing string: some StringProtocol, parameterLimit: Int) throws(ParameterLimitExceeded) {
        guard !string.isEmpty else { return }
        var text = String(string)
        let result = text.withUTF8 { bytes in
            Result { () throws(ParameterLimitExceeded) in try Query(bytes: bytes, parameterLimit: parameterLimit) }
        }
        self = try result.get()
    }

    /// Parses form-encoded bytes; '&' and '=' are ASCII, so no UTF-8 sequence contains them.
    /// With `latin1`, each byte (escaped or not) is read as ISO-8859-1, as qs does for a form
    /// sent with `charset=iso-8859-1`.
    init(bytes: UnsafeBufferPointer<UInt8>, parameterLimit: Int, latin1: Bool = false) throws(ParameterLimitExceeded) {
        if parameterLimit < .max {
            // Counted as body-parser counts them: by their '&' separators, before anything is decoded.
            var separators = 0
            for byte in bytes where byte == UInt8(ascii: "&") {
                separators += 1
                if separators >= parameterLimit { throw ParameterLimitExceeded(limit: parameterLimit) }
            }
        }
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                var equals = start
                while equals < end && bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                let key = Query.component(UnsafeBufferPointer(rebasing: bytes[start..<equals]), latin1: latin1)
                let value = equals < end ? Query.component(UnsafeBufferPointer(rebasing: bytes[(equals + 1)..<end]), latin1: latin1) : ""
                append(key, value)
            }
            start = end + 1
        }
    }

    static func component(_ bytes: UnsafeBufferPointer<UInt8>, latin1: Bool = false) -> String {
        if latin1 { return PercentDecoding.decodeLatin1(bytes, plusIsSpace: true) }
        let plain = !bytes.contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }
        return plain ? String(decoding: bytes, as: UTF8.self) : PercentDecoding.decode(bytes, plusIsSpace: true)
    }

    /// The first value of `key`, or nil.
    public subscript(key: String) -> String? { storage[key]?.first }

    /// Every value of `key`, in order; empty when it is absent.
    public func all(_ key: String) -> [String] { storage[key]?.values ?? [] }

    /// The value of `key` as given, or nil.
    public func value(_ key: String) -> Value? { storage[key] }

    /// Adds a value; a key seen before becomes a list.
    public mutating func append(_ key: String, _ value: String) {
        if let index = storage.index(forKey: key) {
            storage.values[index].append(value)
        } else {
            storage[key] = .one(value)
        }
    }

    /// Sets `key`, replacing what was there.
    public mutating func set(_ key: String, _ value: Value) { storage[key] = value }

    /// The number of keys.
    public var count: Int { storage.count }

    /// Whether there are no keys.
    public var isEmpty: Bool { storage.isEmpty }

    /// The query as a JSON object: single values are strings, lists are arrays. Under
    /// `app.queryParser = .extended(...)`, bracketed keys nest as Express's extended query parser
    /// (qs) reads them: `?user[name]=Ada&tags[]=a` gives `{"user":{"name":"Ada"},"tags":["a"]}`.
    public var json: JSON {
        if let nesting, let nested = try? NestedForm.parse(self, nesting) { return nested }
        return .object(JSONObject(storage.lazy.map { ($0.key, $0.value.json) }))
    }

    /// Decodes the query into a `Decodable` type; values are strings, so they also decode into
    /// numbers and booleans, as a form's do. A ``Validatable`` type's rules are checked first, all of them.
    ///
    /// - Throws: ``HTTPError`` 400 `{"error":"Invalid query","field":"page","reason":"…"}` naming the
    ///   parameter and why it failed; for a ``Validatable`` type, `issues` lists every rule broken.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try RequestBody.decode(type, from: json, lenient: true, what: "Invalid query")
    }

    public func makeIterator() -> OrderedDictionary<String, Value>.Iterator { storage.makeIterator() }
}

/// A query string or form had more parameters than its `parameterLimit`.
public struct ParameterLimitExceeded: Error, Sendable {
    /// The limit.
    public var limit: Int
}
