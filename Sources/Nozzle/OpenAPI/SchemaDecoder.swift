/// Reads a `Decodable` type's shape by decoding it from nothing: each property it asks for is
/// recorded with its type, and answered with a placeholder (`""`, `0`, `false`, an empty array, the
/// first case of a `CaseIterable` enum), so that the type's `init(from:)` runs to its end.
///
/// What it cannot see: a type whose `init(from:)` rejects the placeholders (an enum with raw values
/// that is not `CaseIterable`, a string that must be a URL) shows the properties read before the
/// one that failed; a dictionary shows as an object of any properties. Types nested deeper than
/// ``maxDepth`` (a recursive type, say) show as any value.
struct SchemaDecoder {
    static let maxDepth = 12

    /// The JSON Schema of `type`.
    static func schema<T: Decodable>(of type: T.Type) -> JSON {
        let node = SchemaNode()
        _ = try? decode(type, into: node, depth: 0)
        return node.schema
    }

    /// Decodes a placeholder `T`, recording its shape in `node`.
    static func decode<T: Decodable>(_ type: T.Type, into node: SchemaNode, depth: Int) throws -> T {
        if let value = placeholder(type, node: node) { return value }
        if let validatable = type as? any Validatable.Type { node.rules = validatable.rules }
        guard depth < maxDepth else {
            node.kind = .any
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "nested too deep to describe"))
        }
        return try T(from: RecordingDecoder(node: node, depth: depth + 1))
    }

    /// Values whose schema is known without decoding: the first case of a `CaseIterable` enum.
    private static func placeholder<T>(_ type: T.Type, node: SchemaNode) -> T? {
        guard let cases = type as? any CaseIterable.Type else { return nil }
        let all = allCases(of: cases)
        guard let first = all.first as? T else { return nil }
        let raw = all.compactMap { ($0 as? any RawRepresentable).map { rawJSON($0.rawValue) } ?? nil }
        node.kind = .enumeration(raw)
        return first
    }

    private static func allCases<C: CaseIterable>(of type: C.Type) -> [Any] { Array(type.allCases) }

    private static func rawJSON(_ value: Any) -> JSON? {
        switch value {
        case let text as String: .string(text)
        case let number as Int: .int(number)
        default: nil
        }
    }
}

/// What one value looks like, filled in as it is decoded.
final class SchemaNode {
    enum Kind {
        case unknown, any
        case scalar(type: String, format: String?)
        case enumeration([JSON])
        case object
        case array
    }

    var kind = Kind.unknown
    var properties: [(name: String, node: SchemaNode, required: Bool)] = []
    /// Keys asked about with `decodeNil`: what `decodeIfPresent` does for an optional's value.
    var optional: Set<String> = []
    var items: SchemaNode?
    /// The type's rules, when it is ``Validatable``: written into its schema.
    var rules: Validations?

    var schema: JSON {
        guard let rules, case .object(var object) = recordedSchema else { return recordedSchema }
        rules.describe(&object)
        return .object(object)
    }

    /// The schema as decoding recorded it, before the rules.
    private var recordedSchema: JSON {
        switch kind {
        case .unknown, .any:
            return .object([:])
        case .scalar(let type, let format):
            var object: JSONObject = ["type": .string(type)]
            if let format { object["format"] = .string(format) }
            return .object(object)
        case .enumeration(let values):
            guard let first = values.first else { return .object([:]) }
            return .object(["type": .string(first.stringValue == nil ? "integer" : "string"), "enum": .array(values)])
        case .object:
            var properties = JSONObject()
            for property in self.properties where properties[property.name] == nil {
                properties[property.name] = property.node.schema
            }
            var object: JSONObject = ["type": "object", "properties": .object(properties)]
            let required = self.properties.filter(\.required).map(\.name)
            if !required.isEmpty { object["required"] = .array(required.map(JSON.string)) }
            return .object(object)
        case .array:
            return .object(["type": "array", "items": items?.schema ?? .object([:])])
        }
    }

    func property(_ name: String, required: Bool) -> SchemaNode {
        let node = SchemaNode()
        kind = .object
        properties.append((name, node, required && !optional.contains(name)))
        return node
    }
}

private struct RecordingDecoder: Decoder {
    let node: SchemaNode
    let depth: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        node.kind = .object
        return KeyedDecodingContainer(KeyedRecorder(node: node, depth: depth))
    }

    func unkeyedContainer() -> any UnkeyedDecodingContainer {
        node.kind = .array
        return UnkeyedRecorder(node: node, depth: depth)
    }

    func singleValueContainer() -> any SingleValueDecodingContainer { SingleValueRecorder(node: node, depth: depth) }
}

/// The placeholder and schema of each scalar type a container may be asked for.
private let scalars: [ObjectIdentifier: (value: any Sendable, type: String, format: String?)] = [
    ObjectIdentifier(String.self): ("", "string", nil),
    ObjectIdentifier(Bool.self): (false, "boolean", nil),
    ObjectIdentifier(Double.self): (0.0, "number", "double"),
    ObjectIdentifier(Float.self): (Float(0), "number", "float"),
    ObjectIdentifier(Int.self): (0, "integer", "int64"),
    ObjectIdentifier(Int64.self): (Int64(0), "integer", "int64"),
    ObjectIdentifier(Int32.self): (Int32(0), "integer", "int32"),
    ObjectIdentifier(Int16.self): (Int16(0), "integer", "int32"),
    ObjectIdentifier(Int8.self): (Int8(0), "integer", "int32"),
    ObjectIdentifier(UInt.self): (UInt(0), "integer", "int64"),
    ObjectIdentifier(UInt64.self): (UInt64(0), "integer", "int64"),
    ObjectIdentifier(UInt32.self): (UInt32(0), "integer", "int64"),
    ObjectIdentifier(UInt16.self): (UInt16(0), "integer", "int32"),
    ObjectIdentifier(UInt8.self): (UInt8(0), "integer", "int32"),
]

private func scalar<T>(_ type: T.Type, node: SchemaNode) -> T? {
    guard let entry = scalars[ObjectIdentifier(type)] else { return nil }
    node.kind = .scalar(type: entry.type, format: entry.format)
    return entry.value as? T
}

private func decodeAny<T: Decodable>(_ type: T.Type, node: SchemaNode, depth: Int) throws -> T {
    if let value = scalar(type, node: node) { return value }
    return try SchemaDecoder.decode(type, into: node, depth: depth)
}

private struct KeyedRecorder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let node: SchemaNode
    let depth: Int
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) -> Bool {
        node.optional.insert(key.stringValue)
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeAny(type, node: node.property(key.stringValue, required: true), depth: depth)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        // Recorded as not required; nil is a fine answer, and nothing past it needs the value.
        _ = try? decodeAny(type, node: node.property(key.stringValue, required: false), depth: depth)
        return nil
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) -> KeyedDecodingContainer<NestedKey> {
        let child = node.property(key.stringValue, required: true)
        child.kind = .object
        return KeyedDecodingContainer(KeyedRecorder<NestedKey>(node: child, depth: depth))
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedDecodingContainer {
        let child = node.property(key.stringValue, required: true)
        child.kind = .array
        return UnkeyedRecorder(node: child, depth: depth)
    }

    func superDecoder() -> any Decoder { RecordingDecoder(node: node, depth: depth) }
    func superDecoder(forKey key: Key) -> any Decoder { RecordingDecoder(node: node.property(key.stringValue, required: true), depth: depth) }
}

/// An array: its element type is recorded from the one element it yields.
private struct UnkeyedRecorder: UnkeyedDecodingContainer {
    let node: SchemaNode
    let depth: Int
    var codingPath: [any CodingKey] { [] }
    var count: Int? { nil }
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex > 0 }

    init(node: SchemaNode, depth: Int) {
        self.node = node
        self.depth = depth
    }

    mutating func decodeNil() -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        currentIndex += 1
        let element = SchemaNode()
        node.items = element
        return try decodeAny(type, node: element, depth: depth)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedDecodingContainer<NestedKey> {
        currentIndex += 1
        let element = SchemaNode()
        element.kind = .object
        node.items = element
        return KeyedDecodingContainer(KeyedRecorder<NestedKey>(node: element, depth: depth))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedDecodingContainer {
        currentIndex += 1
        let element = SchemaNode()
        element.kind = .array
        node.items = element
        return UnkeyedRecorder(node: element, depth: depth)
    }

    mutating func superDecoder() -> any Decoder { RecordingDecoder(node: node, depth: depth) }
}

private struct SingleValueRecorder: SingleValueDecodingContainer {
    let node: SchemaNode
    let depth: Int
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decodeAny(type, node: node, depth: depth)
    }
}

extension SchemaDecoder {
    /// Rules of a ``Validatable`` type (or of types it holds) that name a field the type does not
    /// decode: a typo the compiler cannot see, found when the app starts.
    static func ruleProblems<T: Decodable>(of type: T.Type) -> [String] {
        let node = SchemaNode()
        _ = try? decode(type, into: node, depth: 0)
        return ruleProblems(node, rules: nil, path: "", type: "\(type)")
    }

    private static func ruleProblems(_ node: SchemaNode, rules inline: Validations?, path: String, type: String) -> [String] {
        var problems: [String] = []
        if let rules = inline ?? node.rules, case .object = node.kind {
            for entry in rules.entries {
                let key: String
                var nested: (rules: Validations, each: Bool)?
                switch entry {
                case .field(let name, _, let check):
                    key = name
                    problems += check.problems.map { "\(type): '\(path)\(name)': \($0)" }
                case .object(let name, _, let each, let rules):
                    key = name
                    nested = (rules, each)
                }
                guard let property = node.properties.first(where: { $0.name == key })?.node else {
                    problems.append("\(type): a validation rule names '\(path)\(key)', which \(type) does not decode")
                    continue
                }
                if let (rules, each) = nested, let target = each ? property.items : property {
                    problems += ruleProblems(target, rules: rules, path: "\(path)\(key).", type: type)
                }
            }
        }
        for property in node.properties where property.node.rules != nil || !property.node.properties.isEmpty {
            problems += ruleProblems(property.node, rules: nil, path: "\(path)\(property.name).", type: type)
        }
        if let items = node.items { problems += ruleProblems(items, rules: nil, path: path, type: type) }
        return problems
    }
}
