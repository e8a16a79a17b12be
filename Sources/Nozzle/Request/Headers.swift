/// HTTP header fields in order, looked up without regard to case.
///
/// Repeated fields, such as `Set-Cookie`, stay repeated.
///
/// ```swift
/// req.headers["content-type"]     // "application/json"
/// res.headers.add("Set-Cookie", "a=1")
/// ```
public struct Headers: Sendable, Sequence {
    /// The fields in order, with names as they were given.
    public private(set) var fields: [(name: String, value: String)]

    /// No fields.
    public init() { fields = [] }

    /// Fields in the given order.
    public init(_ fields: [(String, String)]) { self.fields = fields.map { (name: $0.0, value: $0.1) } }

    /// The first value of `name`, or nil; setting it replaces every field of that name.
    public subscript(name: String) -> String? {
        get { fields.first { Headers.sameName($0.name, name) }?.value }
        set {
            if let newValue { set(name, newValue) } else { remove(name) }
        }
    }

    /// Every value of `name`, in order.
    public func all(_ name: String) -> [String] {
        fields.filter { Headers.sameName($0.name, name) }.map(\.value)
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool { fields.contains { Headers.sameName($0.name, name) } }

    /// Adds a field, keeping any others of the same name.
    public mutating func add(_ name: String, _ value: String) {
        makeRoom()
        fields.append((name, value))
    }

    /// Sets a field, replacing any others of the same name.
    public mutating func set(_ name: String, _ value: String) {
        guard let first = fields.firstIndex(where: { Headers.sameName($0.name, name) }) else {
            makeRoom()
            fields.append((name, value))
            return
        }
        fields[first] = (name, value)
        var index = fields.count - 1
        while index > first {
            if Headers.sameName(fields[index].name, name) { fields.remove(at: index) }
            index -= 1
        }
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) { fields.removeAll { Headers.sameName($0.name, name) } }

    /// The number of fields.
    public var count: Int { fields.count }

    /// Room for six fields with the first one, what a typical response sets (type, ETag, a cookie or
    /// two) without growing; until then none, so that a response whose handler is still waiting
    /// holds no storage for its fields.
    @inline(__always)
    private mutating func makeRoom() {
        if fields.capacity == 0 { fields.reserveCapacity(6) }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// ASCII case-insensitive comparison without allocating lowercased copies.
    static func sameName(_ a: String, _ b: String) -> Bool {
        // Most names compared differ in length, which a native string knows without a scan.
        guard a.utf8.count == b.utf8.count else { return false }
        return HTTPText.withBytes(of: a) { x in
            HTTPText.withBytes(of: b) { y in
                // The same length, checked above: each is its string's UTF-8.
                for i in 0..<x.count where x[i] != y[i] {
                    if x[i] | 0x20 != y[i] | 0x20 || !((x[i] | 0x20) >= 0x61 && (x[i] | 0x20) <= 0x7A) { return false }
                }
                return true
            }
        }
    }
}

extension Headers {
    /// The usual spelling of a CGI header variable: `USER_AGENT` becomes `User-Agent`.
    static func name(fromCGI variable: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: variable.count) { buffer in
            var upper = true
            for (index, byte) in variable.enumerated() {
                if byte == UInt8(ascii: "_") {
                    buffer[index] = UInt8(ascii: "-")
                    upper = true
                } else {
                    let isUpper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
                    buffer[index] = !upper && isUpper ? byte | 0x20 : byte
                    upper = false
                }
            }
            return variable.count
        }
    }
}
