/// The compiled routes of an app, matched by a trie: never a linear scan of the list.
///
/// At each level a literal segment beats a dynamic one, which beats a catch-all, which beats an
/// optional catch-all. A literal that dead-ends further on falls back to the next candidate.
public struct RouteTable: Sendable {
    /// The routes, in the order given.
    public let routes: [Route]
    let root: RouteNode

    /// A table of `routes`. The route plugin has already rejected clashing patterns at build time.
    public init(_ routes: [Route]) {
        self.routes = routes
        let root = RouteNode()
        for (index, route) in routes.enumerated() { root.insert(route.segments[...], route: index) }
        self.root = root
    }

    /// The route for a path and the params it gives, or nil.
    ///
    /// The path is split before each segment is percent-decoded, so `%2F` stays inside its param.
    /// A trailing slash is ignored unless `strictTrailingSlash` is set.
    ///
    /// - Parameters:
    ///   - path: the request path, such as `/api/users/42`.
    ///   - strictTrailingSlash: whether `/api/users/` is a different URL from `/api/users`.
    ///   - percentEncoded: whether `path` is still encoded; a decoded path is split as it is.
    public func match(_ path: String, strictTrailingSlash: Bool = false, percentEncoded: Bool = true) -> RouteMatch? {
        if strictTrailingSlash, path.utf8.count > 1, path.utf8.last == UInt8(ascii: "/") { return nil }
        return HTTPText.withBytes(of: path) { bytes in
            withUnsafeTemporaryAllocation(of: SegmentRange.self, capacity: RouteTable.maximumSegments) { ranges in
                var count = 0
                var needsDecoding = false
                var start = 0
                for index in 0...bytes.count {
                    if index == bytes.count || bytes[index] == UInt8(ascii: "/") {
                        if index > start {
                            guard count < ranges.count else { return nil }
                            ranges[count] = SegmentRange(start: start, count: index - start)
                            count += 1
                        }
                        start = index + 1
                    } else if bytes[index] == UInt8(ascii: "%") {
                        needsDecoding = percentEncoded
                    }
                }
                let segments = UnsafeMutableBufferPointer(rebasing: ranges[0..<count])
                if needsDecoding { return matchDecoded(bytes, segments) }
                return found(bytes, segments)
            }
        }
    }

    /// Paths longer than this many segments match nothing.
    static let maximumSegments = 128

    /// Decodes each segment after splitting, so an encoded slash stays inside its segment.
    private func matchDecoded(_ bytes: UnsafeBufferPointer<UInt8>, _ segments: UnsafeMutableBufferPointer<SegmentRange>) -> RouteMatch? {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        for index in segments.indices {
            let range = segments[index]
            let text = PercentDecoding.decode(Substring(decoding: UnsafeBufferPointer(rebasing: bytes[range.start..<range.start + range.count]), as: UTF8.self))
            segments[index] = SegmentRange(start: decoded.count, count: text.utf8.count)
            decoded.append(contentsOf: text.utf8)
        }
        return decoded.withUnsafeBufferPointer { found($0, segments) }
    }

    private func found(_ bytes: UnsafeBufferPointer<UInt8>, _ segments: UnsafeMutableBufferPointer<SegmentRange>) -> RouteMatch? {
        var params: [(name: String, value: Query.Value)] = []
        guard let index = root.match(bytes, segments, from: 0, params: &params) else { return nil }
        return RouteMatch(route: routes[index], params: RouteParams(params), index: index)
    }
}

/// A matched route and the values of its dynamic segments.
public struct RouteMatch: Sendable {
    /// The route.
    public let route: Route
    /// The params taken from the path.
    public let params: RouteParams
    /// The route's place in the table's ``RouteTable/routes``.
    package let index: Int
}

