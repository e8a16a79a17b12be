import OrderedCollections

/// Encodes an `Encodable` value into a ``JSON`` value, keeping keys in the order they are encoded.
///
/// ```swift
/// let value = try JSONValueEncoder.encode(user)   // {"id":3,"name":"Ada"}
/// ```
public enum JSONValueEncoder {
    /// The JSON value of `value`.
    public static func encode<T: Encodable>(_ value: T) throws -> JSON {
        if let json = value as? JSON { return json }
        let root = EncodingNode()
        try value.encode(to: NodeEncoder(node: root, codingPath: []))
        return root.value
    }
}

/// A place a value is being written to; containers hold their children until the end.
///
/// Members and elements are kept in stored properties rather than in `Content`'s payloads, so that
/// adding one changes the array in place instead of copying it: a dictionary of n keys takes time
/// in proportion to n.
final class EncodingNode {
    enum Content {
        case empty
        case value(JSON)
        case object
        case array
    }

    var content = Content.empty
    var members: OrderedDictionary<String, EncodingNode> = [:]
    var elements: [EncodingNode] = []

    var value: JSON {
        switch content {
        case .empty: .object(JSONObject())
        case .value(let value): value
        case .object: .object(JSONObject(members.lazy.map { ($0.key, $0.value.value) }))
        case .array: .array(elements.map(\.value))
        }
    }

    var isArray: Bool { if case .array = content { true } else { false } }

    /// Makes this node an object, or an array, keeping what it holds if it is one already.
    func become(_ kind: Content) {
        switch (content, kind) {
        case (.object, .object), (.array, .array): return
        default:
            content = kind
            members = [:]
            elements = []
        }
    }

    /// The member for `key`: a key given again gets the node it had, keeping its place.
    func child(forKey key: String) -> EncodingNode {
        become(.object)
        if let found = members[key] { return found }
        let node = EncodingNode()
        members[key] = node
        return node
    }

    func appendChild() -> EncodingNode {
        become(.array)
        let node = EncodingNode()
        elements.append(node)
        return node
    }
}

struct NodeEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.become(.object)
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.become(.array)
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleNodeContainer(node: node, codingPath: codingPath) }
}

/// Writes a value into a node: primitives directly, anything else through its own `encode(to:)`.
func encodeValue<T: Encodable>(_ value: T, into node: EncodingNode, codingPath: [any CodingKey]) throws {
    switch value {
    case let json as JSON: node.content = .value(json)
    case let text as String: node.content = .value(.string(text))
    case let flag as Bool: node.content = .value(.bool(flag))
    case let number as Int: node.content = .value(.int(number))
    case let number as Double: node.content = .value(.double(number))
    case let number as Float: node.content = .value(.double(Double(number)))
    // The standard library's integers; another integer type writes itself, as JSONBytesEncoder has it.
    case let number as Int64: node.content = .value(.int(Int(number)))
    case let number as Int32: node.content = .value(.int(Int(number)))
    case let number as Int16: node.content = .value(.int(Int(number)))
    case let number as Int8: node.content = .value(.int(Int(number)))
    case let number as UInt8: node.content = .value(.int(Int(number)))
    case let number as UInt16: node.content = .value(.int(Int(number)))
    case let number as UInt32: node.content = .value(.int(Int(number)))
    case let number as UInt: node.content = .value(unsigned(UInt64(number)))
    case let number as UInt64: node.content = .value(unsigned(number))
    default: try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }
}

/// Above `Int.max` a number is kept as a double.
func unsigned(_ number: UInt64) -> JSON {
    if let exact = Int(exactly: number) { .int(exact) } else { .double(Double(number)) }
}

struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.child(forKey: key.stringValue).content = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeValue(value, into: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.child(forKey: "super"), codingPath: codingPath) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }
}

struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var count: Int { node.isArray ? node.elements.count : 0 }

    mutating func encodeNil() throws { node.appendChild().content = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encodeValue(value, into: node.appendChild(), codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.appendChild(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.appendChild(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.appendChild(), codingPath: codingPath) }
}

struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeValue(value, into: node, codingPath: codingPath) }
}
