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
    /// - Parameter percentEncoded: whether `path` is still encoded; a decoded path is split as it is.
    public func match(_ path: String, strictTrailingSlash: Bool = false, percentEncoded: Bool = true) -> RouteMatch? {
        if strictTrailingSlash, path.count > 1, path.hasSuffix("/") { return nil }
        var segments: [String] = []
        segments.reserveCapacity(8)
        for part in path.utf8.split(separator: UInt8(ascii: "/")) {
            let text = Substring(part)
            segments.append(percentEncoded && text.utf8.contains(UInt8(ascii: "%")) ? PercentDecoding.decode(text) : String(text))
        }
        var params: [(name: String, value: Query.Value)] = []
        guard let index = root.match(segments, from: 0, params: &params) else { return nil }
        return RouteMatch(route: routes[index], params: RouteParams(params))
    }
}

/// A matched route and the values of its dynamic segments.
public struct RouteMatch: Sendable {
    /// The route.
    public let route: Route
    /// The params taken from the path.
    public let params: RouteParams
}

/// A trie node; immutable once the table is built.
final class RouteNode: @unchecked Sendable {
    var literals: [String: RouteNode] = [:]
    var param: (name: String, node: RouteNode)?
    var catchAll: (name: String, route: Int)?
    var optionalCatchAll: (name: String, route: Int)?
    var route: Int?

    func insert(_ segments: ArraySlice<RouteSegment>, route index: Int) {
        guard let first = segments.first else {
            if route == nil { route = index }
            return
        }
        switch first {
        case .literal(let name):
            let child = literals[name] ?? RouteNode()
            literals[name] = child
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

    func match(_ segments: [String], from position: Int, params: inout [(name: String, value: Query.Value)]) -> Int? {
        guard position < segments.count else {
            if let route { return route }
            // Zero segments leave the param out, so `req.query` is `{}` as in Next.js.
            return optionalCatchAll?.route
        }
        let segment = segments[position]
        if let child = literals[segment], let found = child.match(segments, from: position + 1, params: &params) {
            return found
        }
        if let param {
            params.append((param.name, .one(segment)))
            if let found = param.node.match(segments, from: position + 1, params: &params) { return found }
            params.removeLast()
        }
        if let catchAll {
            params.append((catchAll.name, .many(Array(segments[position...]))))
            return catchAll.route
        }
        if let optionalCatchAll {
            params.append((optionalCatchAll.name, .many(Array(segments[position...]))))
            return optionalCatchAll.route
        }
        return nil
    }
}
