/// The `Encoder` of ``JSONBytesEncoder``: a value's place in the text being written, named by the
/// slot it fills and the level its container opens at.
struct JSONStreamEncoder: Encoder {
    let writer: JSONStreamWriter
    let slot: Int
    let depth: Int

    var codingPath: [any CodingKey] { writer.state.pointee.codingPath(depth: depth) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let serial = writer.state.pointee.container(isObject: true, slot: slot, depth: depth)
        return KeyedEncodingContainer(StreamKeyedContainer<Key>(writer: writer, index: depth, serial: serial))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let serial = writer.state.pointee.container(isObject: false, slot: slot, depth: depth)
        return StreamUnkeyedContainer(writer: writer, index: depth, serial: serial)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        StreamSingleContainer(writer: writer, slot: slot, depth: depth)
    }
}

struct StreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONStreamWriter
    let index: Int
    let serial: Int

    var codingPath: [any CodingKey] { writer.state.pointee.codingPath(depth: index) }

    mutating func encodeNil(forKey key: Key) throws {
        try writer.state.pointee.key(key.stringValue, index: index, serial: serial)
        writer.state.pointee.writeNull()
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try writer.state.pointee.key(key.stringValue, index: index, serial: serial)
        writer.state.pointee.write(bool: value)
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        try writer.state.pointee.key(key.stringValue, index: index, serial: serial)
        writer.state.pointee.write(string: value)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        try writer.state.pointee.key(key.stringValue, index: index, serial: serial)
        writer.state.pointee.write(double: value)
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        try writer.state.pointee.key(key.stringValue, index: index, serial: serial)
        writer.state.pointee.write(double: Double(value))
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        try writer.state.pointee.key(key.stringValue, index: index, serial: serial)
        writer.state.pointee.write(int: value)
    }

    mutating func encode(_ value: Int8, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try encode(UInt64(value), forKey: key) }

    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        try writer.state.pointee.key(key.stringValue, index: index, serial: serial)
        writer.state.pointee.write(unsigned: value)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try writer.state.pointee.key(key.stringValue, index: index, serial: serial)
        let slot = writer.state.pointee.openSlot()
        try writer.write(value, depth: index + 1, slot: slot)
        writer.state.pointee.fill(slot)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(writer: writer, index: index + 1, serial: open(key, isObject: true)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        StreamUnkeyedContainer(writer: writer, index: index + 1, serial: open(key, isObject: false))
    }

    mutating func superEncoder() -> any Encoder { encoder(forKey: "super") }

    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder(forKey: key.stringValue) }

    /// A container under `key`; -1, a serial no level has, when the encoding cannot go on in one pass.
    private func open(_ key: Key, isObject: Bool) -> Int {
        guard (try? writer.state.pointee.key(key.stringValue, index: index, serial: serial)) != nil else { return -1 }
        return writer.state.pointee.push(isObject: isObject, owner: writer.state.pointee.openSlot())
    }

    /// An encoder for the value under `key`, filled with `{}` if nothing is written to it.
    private func encoder(forKey key: String) -> any Encoder {
        guard (try? writer.state.pointee.key(key, index: index, serial: serial)) != nil else {
            return JSONStreamEncoder(writer: writer, slot: -1, depth: index + 1)
        }
        return JSONStreamEncoder(writer: writer, slot: writer.state.pointee.openSlot(), depth: index + 1)
    }
}

/// A place that takes one value at a time, the next element of an array or a single value: the
/// primitives both containers write the same way once the place is ready.
protocol StreamValuePlace {
    var writer: JSONStreamWriter { get }
    /// The depth a value written here opens its container at.
    var valueDepth: Int { get }
    /// Readies the place for a value; the slot the value fills.
    mutating func begin() throws -> Int
}

extension StreamValuePlace {
    mutating func encodeNil() throws {
        _ = try begin()
        writer.state.pointee.writeNull()
    }

    mutating func encode(_ value: Bool) throws {
        _ = try begin()
        writer.state.pointee.write(bool: value)
    }

    mutating func encode(_ value: String) throws {
        _ = try begin()
        writer.state.pointee.write(string: value)
    }

    mutating func encode(_ value: Double) throws {
        _ = try begin()
        writer.state.pointee.write(double: value)
    }

    mutating func encode(_ value: Float) throws { try encode(Double(value)) }

    mutating func encode(_ value: Int) throws {
        _ = try begin()
        writer.state.pointee.write(int: value)
    }

    mutating func encode(_ value: Int8) throws { try encode(Int(value)) }
    mutating func encode(_ value: Int16) throws { try encode(Int(value)) }
    mutating func encode(_ value: Int32) throws { try encode(Int(value)) }
    mutating func encode(_ value: Int64) throws { try encode(Int(value)) }
    mutating func encode(_ value: UInt8) throws { try encode(Int(value)) }
    mutating func encode(_ value: UInt16) throws { try encode(Int(value)) }
    mutating func encode(_ value: UInt32) throws { try encode(Int(value)) }
    mutating func encode(_ value: UInt) throws { try encode(UInt64(value)) }

    mutating func encode(_ value: UInt64) throws {
        _ = try begin()
        writer.state.pointee.write(unsigned: value)
    }

    /// A value that writes nothing is `{}`.
    mutating func encode<T: Encodable>(_ value: T) throws {
        let slot = try begin()
        try writer.write(value, depth: valueDepth, slot: slot)
        writer.state.pointee.fill(slot)
    }
}

struct StreamUnkeyedContainer: UnkeyedEncodingContainer, StreamValuePlace {
    let writer: JSONStreamWriter
    let index: Int
    let serial: Int

    var codingPath: [any CodingKey] { writer.state.pointee.codingPath(depth: index) }
    var valueDepth: Int { index + 1 }

    var count: Int {
        index < writer.state.pointee.levels.count && writer.state.pointee.levels[index].serial == serial ? writer.state.pointee.levels[index].count : 0
    }

    mutating func begin() throws -> Int {
        try writer.state.pointee.element(index: index, serial: serial)
        return writer.state.pointee.openSlot()
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(writer: writer, index: index + 1, serial: open(isObject: true)))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        StreamUnkeyedContainer(writer: writer, index: index + 1, serial: open(isObject: false))
    }

    mutating func superEncoder() -> any Encoder {
        guard (try? writer.state.pointee.element(index: index, serial: serial)) != nil else {
            return JSONStreamEncoder(writer: writer, slot: -1, depth: index + 1)
        }
        return JSONStreamEncoder(writer: writer, slot: writer.state.pointee.openSlot(), depth: index + 1)
    }

    private func open(isObject: Bool) -> Int {
        guard (try? writer.state.pointee.element(index: index, serial: serial)) != nil else { return -1 }
        return writer.state.pointee.push(isObject: isObject, owner: writer.state.pointee.openSlot())
    }
}

struct StreamSingleContainer: SingleValueEncodingContainer, StreamValuePlace {
    let writer: JSONStreamWriter
    let slot: Int
    let depth: Int

    var codingPath: [any CodingKey] { writer.state.pointee.codingPath(depth: depth) }
    var valueDepth: Int { depth }

    /// A wrapper's value fills the wrapper's own slot.
    mutating func begin() throws -> Int {
        try writer.state.pointee.single(slot: slot, depth: depth)
        return slot
    }
}
