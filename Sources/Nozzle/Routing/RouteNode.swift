import NozzleRouteGrammar

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte range of one path segment.
struct SegmentRange {
    var start: Int
    var count: Int
}

/// A trie node; immutable once the table is built.
// Unchecked: its vars are written only while the table is built, before any request reads it; so
// is their exclusivity, which every request's match would otherwise check at each node.
final class RouteNode: @unchecked Sendable {
    @exclusivity(unchecked) var literals = LiteralChildren()
    @exclusivity(unchecked) var param: (name: String, node: RouteNode)?
    @exclusivity(unchecked) var catchAll: (name: String, route: Int)?
    @exclusivity(unchecked) var optionalCatchAll: (name: String, route: Int)?
    @exclusivity(unchecked) var route: Int?

    func insert(_ segments: ArraySlice<RouteSegment>, route index: Int) {
        guard let first = segments.first else {
            if route == nil { route = index }
            return
        }
        switch first {
        case .literal(let name):
            let key = Array(name.utf8)
            let child = literals.find(key) ?? literals.add(key, RouteNode())
            child.insert(segments.dropFirst(), route: index)
        case .param(let name):
            let child = param?.node ?? RouteNode()
            param = (param?.name ?? name, child)
            child.insert(segments.dropFirst(), route: index)
        case .catchAll(let name):
            if catchAll == nil { catchAll = (name, index) }
        case .optionalCatchAll(let name):
            if optionalCatchAll == nil { optionalCatchAll = (name, index) }
        }
    }

    /// Finds the route for `segments[position...]`; on the way back out of a dead end, it tries the
    /// next kind of segment, so a literal that leads nowhere falls back to a param or catch-all.
    func match(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ segments: UnsafeMutableBufferPointer<SegmentRange>,
        from position: Int,
        params: inout [(name: String, value: Query.Value)]
    ) -> Int? {
        guard position < segments.count else {
            // Zero segments leave an optional catch-all's param out, so `req.query` is `{}` as in Next.js.
            return route ?? optionalCatchAll?.route
        }
        let segment = segments[position]
        let text = UnsafeBufferPointer(rebasing: bytes[segment.start..<segment.start + segment.count])
        if let child = literals.find(text), let found = child.match(bytes, segments, from: position + 1, params: &params) {
            return found
        }
        if let param {
            params.append((param.name, .one(String(decoding: text, as: UTF8.self))))
            if let found = param.node.match(bytes, segments, from: position + 1, params: &params) { return found }
            params.removeLast()
        }
        if let tail = catchAll ?? optionalCatchAll {
            let values = segments[position...].map { range in
                String(decoding: UnsafeBufferPointer(rebasing: bytes[range.start..<range.start + range.count]), as: UTF8.self)
            }
            params.append((tail.name, .many(values)))
            return tail.route
        }
        return nil
    }
}

/// A node's literal children: an open-addressing hash table over the segments' bytes, so a lookup
/// hashes the path bytes in place with no String made.
struct LiteralChildren {
    private var keys: [[UInt8]] = []
    private var nodes: [RouteNode] = []
    private var slots: [Int32] = []

    func find(_ key: [UInt8]) -> RouteNode? {
        key.withUnsafeBufferPointer { find($0) }
    }

    func find(_ key: UnsafeBufferPointer<UInt8>) -> RouteNode? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: LiteralChildren.hash(key)) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { return nil }
            let candidate = keys[Int(entry)]
            if candidate.count == key.count,
                key.isEmpty || candidate.withUnsafeBufferPointer({ memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 })
            {
                return nodes[Int(entry)]
            }
            slot = (slot + 1) & mask
        }
    }

    mutating func add(_ key: [UInt8], _ node: RouteNode) -> RouteNode {
        keys.append(key)
        nodes.append(node)
        // Keep the table at most half full so probe runs stay short.
        var size = max(4, slots.count)
        while size < keys.count * 2 { size *= 2 }
        slots = [Int32](repeating: -1, count: size)
        for (index, key) in keys.enumerated() {
            var slot = Int(truncatingIfNeeded: key.withUnsafeBufferPointer { LiteralChildren.hash($0) }) & (size - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(index)
        }
        return node
    }

    /// FNV-1a over the bytes.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash ^ (hash >> 29)
    }
}
