/// Writes an `Encodable` value straight to JSON text, with no tree of ``JSON`` values in between:
/// what `res.json(user)` uses.
///
/// The text is the one ``JSONValueEncoder`` gives. Codable also lets a type use its encoder in ways
/// only a tree can follow: a key written twice (which keeps its first place and its last value), a
/// container written to after one opened later, a value written twice. The writer notices each of
/// those, stops, and the value is encoded again through ``JSONValueEncoder``; a type that encodes
/// in order, as every synthesized `encode(to:)` does, is written in one pass.
package enum JSONBytesEncoder {
    /// The compact JSON text of `value`.
    package static func encode<T: Encodable>(_ value: T, capacity: Int = 128) throws -> [UInt8] {
        let writer = JSONStreamWriter(capacity: capacity)
        let slot = writer.state.pointee.openSlot()
        do {
            try writer.write(value, depth: 0, slot: slot)
        } catch {
            // An error of the value's own ends the encoding, as it would through a tree.
            guard writer.state.pointee.unstreamable else { throw error }
        }
        if writer.state.pointee.unstreamable {
            var out: [UInt8] = []
            out.reserveCapacity(capacity)
            try JSONValueEncoder.encode(value).write(into: &out)
            return out
        }
        writer.state.pointee.fill(slot)
        writer.state.pointee.settle(above: 0)
        return writer.state.pointee.out
    }
}

/// One streamed encoding: the text so far and the containers still open.
///
/// Containers and encoders are values that name the level they write to by index and serial; a
/// level is closed (its `}` or `]` written) as soon as anything is written to a level below it, so
/// an encoder used out of that order finds its level gone or another in its place, and the encoding
/// is marked ``JSONStreamState/unstreamable``.
///
/// The state sits behind a pointer the writer owns: every key and value changes it, and through a
/// class's stored properties each change would pay a dynamic exclusivity check (a third of the
/// time of a small struct's encoding, measured). No access to it is held while a value's own
/// `encode(to:)` runs, which is the only code that can come back to it, so accesses never overlap.
final class JSONStreamWriter {
    let state: UnsafeMutablePointer<JSONStreamState>

    init(capacity: Int) {
        state = .allocate(capacity: 1)
        state.initialize(to: JSONStreamState(capacity: capacity))
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Writes `value` as the pending `slot` at `depth`: primitives directly, anything else through
    /// its own `encode(to:)`.
    ///
    /// Types are told apart by their metadata, not by casting: a failed cast costs a lookup that a
    /// struct's every field would pay.
    func write<T: Encodable>(_ value: T, depth: Int, slot: Int) throws {
        if T.self == String.self { return state.pointee.write(string: unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return state.pointee.write(int: unsafeBitCast(value, to: Int.self)) }
        if T.self == Int64.self { return state.pointee.write(int: Int(unsafeBitCast(value, to: Int64.self))) }
        if T.self == Bool.self { return state.pointee.write(bool: unsafeBitCast(value, to: Bool.self)) }
        if T.self == Double.self { return state.pointee.write(double: unsafeBitCast(value, to: Double.self)) }
        if T.self == JSON.self { return state.pointee.write(json: unsafeBitCast(value, to: JSON.self)) }
        if T.self == Float.self { return state.pointee.write(double: Double(unsafeBitCast(value, to: Float.self))) }
        if T.self == Int8.self { return state.pointee.write(int: Int(unsafeBitCast(value, to: Int8.self))) }
        if T.self == Int16.self { return state.pointee.write(int: Int(unsafeBitCast(value, to: Int16.self))) }
        if T.self == Int32.self { return state.pointee.write(int: Int(unsafeBitCast(value, to: Int32.self))) }
        if T.self == UInt8.self { return state.pointee.write(int: Int(unsafeBitCast(value, to: UInt8.self))) }
        if T.self == UInt16.self { return state.pointee.write(int: Int(unsafeBitCast(value, to: UInt16.self))) }
        if T.self == UInt32.self { return state.pointee.write(int: Int(unsafeBitCast(value, to: UInt32.self))) }
        if T.self == UInt.self { return state.pointee.write(unsigned: UInt64(unsafeBitCast(value, to: UInt.self))) }
        if T.self == UInt64.self { return state.pointee.write(unsigned: unsafeBitCast(value, to: UInt64.self)) }
        try value.encode(to: JSONStreamEncoder(writer: self, slot: slot, depth: depth))
    }
}

/// The text of one streamed encoding and the containers still open in it.
struct JSONStreamState {
    struct Level {
        let isObject: Bool
        /// Unique within the encoding, so a stale container cannot pass for the level now at its index.
        let serial: Int
        /// The slot this container is the value of: an encoder asking again for the same container
        /// gets this one back, as a class's `encode(to:)` and its superclass's share one object.
        let owner: Int
        /// Where this level's keys begin in ``JSONStreamState/keys``.
        let keysStart: Int
        var count = 0
        /// The object's keys as a set, once there are more than a short scan's worth.
        var keySet: Set<String>? = nil
    }

    /// Keys an object checks by scanning before it keeps a set of them.
    static let scanLimit = 16

    var out: [UInt8]
    var levels: [Level] = []
    /// The keys of the open objects, outermost first: for telling a repeated key and for `codingPath`.
    var keys: [String] = []
    /// The slot whose key (or array place) is written and whose value is not yet, or 0.
    var pending = 0
    var serials = 0
    /// Set when the value used its encoder in a way a single pass cannot follow.
    var unstreamable = false

    init(capacity: Int) {
        out = []
        out.reserveCapacity(capacity)
        levels.reserveCapacity(8)
        keys.reserveCapacity(16)
    }

    /// A new slot, awaiting its value.
    mutating func openSlot() -> Int {
        serials += 1
        pending = serials
        return serials
    }

    /// A value that wrote nothing at all is an empty object, as in ``JSONValueEncoder``.
    mutating func fill(_ slot: Int) {
        if slot != 0, pending == slot {
            pending = 0
            out.append(UInt8(ascii: "{"))
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Fills a pending slot and closes every level at `depth` or deeper.
    mutating func settle(above depth: Int) {
        fill(pending)
        while levels.count > depth {
            let level = levels.removeLast()
            out.append(level.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
            keys.removeSubrange(level.keysStart...)
        }
    }

    mutating func fail() -> Unstreamable {
        unstreamable = true
        return Unstreamable()
    }

    /// Readies level `index` for its next member: the levels inside it are done.
    mutating func enter(_ index: Int, serial: Int) throws {
        guard !unstreamable, index < levels.count, levels[index].serial == serial else { throw fail() }
        settle(above: index + 1)
    }

    /// Writes `"key":` in the object at `index`.
    mutating func key(_ key: String, index: Int, serial: Int) throws {
        try enter(index, serial: serial)
        let start = levels[index].keysStart
        if levels[index].keySet != nil {
            guard levels[index].keySet!.insert(key).inserted else { throw fail() }
        } else {
            for existing in keys[start...] where existing == key { throw fail() }
            if keys.count - start == Self.scanLimit { levels[index].keySet = Set(keys[start...] + [key]) }
        }
        keys.append(key)
        if levels[index].count > 0 { out.append(UInt8(ascii: ",")) }
        levels[index].count += 1
        JSON.writeString(key, into: &out)
        out.append(UInt8(ascii: ":"))
    }

    /// Writes the `,` before the next element of the array at `index`.
    mutating func element(index: Int, serial: Int) throws {
        try enter(index, serial: serial)
        if levels[index].count > 0 { out.append(UInt8(ascii: ",")) }
        levels[index].count += 1
    }

    /// Opens a container as the value of the pending slot `owner`; returns its serial.
    mutating func push(isObject: Bool, owner: Int) -> Int {
        pending = 0
        serials += 1
        levels.append(Level(isObject: isObject, serial: serials, owner: owner, keysStart: keys.count))
        out.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        return serials
    }

    /// The container an encoder at `depth` for `slot` asks for: a new one while the slot is pending,
    /// the same one again if it is still open; -1 (with the encoding marked) otherwise.
    mutating func container(isObject: Bool, slot: Int, depth: Int) -> Int {
        guard !unstreamable else { return -1 }
        if pending == slot, levels.count == depth { return push(isObject: isObject, owner: slot) }
        if depth < levels.count, levels[depth].owner == slot, levels[depth].isObject == isObject {
            settle(above: depth + 1)
            return levels[depth].serial
        }
        _ = fail()
        return -1
    }

    /// A single value for `slot`, which must still be pending.
    mutating func single(slot: Int, depth: Int) throws {
        guard !unstreamable, pending == slot, levels.count == depth else { throw fail() }
    }

    mutating func write(string: String) {
        pending = 0
        JSON.writeString(string, into: &out)
    }

    mutating func write(int: Int) {
        pending = 0
        Digits.append(int, to: &out)
    }

    /// As ``JSONValueEncoder`` keeps it (`unsigned(_:)`): a double above `Int.max`.
    mutating func write(unsigned: UInt64) {
        write(json: Nozzle.unsigned(unsigned))
    }

    mutating func write(bool: Bool) {
        pending = 0
        out.append(contentsOf: (bool ? "true" : "false").utf8)
    }

    mutating func write(double: Double) {
        pending = 0
        JSON.writeNumber(double, into: &out)
    }

    mutating func write(json: JSON) {
        pending = 0
        json.write(into: &out)
    }

    mutating func writeNull() {
        pending = 0
        out.append(contentsOf: "null".utf8)
    }

    /// The keys leading to a value at `depth`; arrays add none, as in ``JSONValueEncoder``.
    func codingPath(depth: Int) -> [any CodingKey] {
        var path: [any CodingKey] = []
        for index in 0..<min(depth, levels.count) where levels[index].isObject && levels[index].count > 0 {
            let end = index + 1 < levels.count ? levels[index + 1].keysStart : keys.count
            if end > levels[index].keysStart { path.append(JSON.AnyKey(keys[end - 1])) }
        }
        return path
    }

    /// Thrown to stop a pass the writer cannot follow; the value is then encoded through a tree.
    struct Unstreamable: Error {}
}
