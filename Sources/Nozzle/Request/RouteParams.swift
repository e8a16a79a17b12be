/// The values a URL gave a route's dynamic segments.
///
/// For `api/post/[pid].swift`, `req.params["pid"]` is the segment. For `api/post/[...slug].swift`,
/// `req.params.all("slug")` is the list of segments, always an array, and `req.params["slug"]` is
/// the first of them.
public struct RouteParams: Sendable, Sequence {
    /// The params in pattern order.
    public private(set) var entries: [(name: String, value: Query.Value)] = []

    /// No params.
    public init() {}

    /// Params in the given order.
    public init(_ entries: [(name: String, value: Query.Value)]) { self.entries = entries }

    /// The value of a dynamic segment, or the first segment of a catch-all.
    public subscript(name: String) -> String? {
        entries.first { $0.name == name }?.value.values.first
    }

    /// Every segment of a catch-all, or the single value of a dynamic segment.
    public func all(_ name: String) -> [String] {
        entries.first { $0.name == name }?.value.values ?? []
    }

    /// Whether there are none.
    public var isEmpty: Bool { entries.isEmpty }

    public func makeIterator() -> IndexingIterator<[(name: String, value: Query.Value)]> { entries.makeIterator() }
}
