public import NozzleRouteGrammar

/// The URL pattern a route file's path gives.
///
/// `api/users/[id].swift` gives `/api/users/[id]`; `api/posts/index.swift` gives `/api/posts`. The
/// segments' grammar is ``RouteSegment``'s, which the core matches requests with.
public struct RoutePath: Equatable, Sendable {
    /// One segment of the pattern.
    public typealias Segment = RouteSegment

    /// The segments in order.
    public let segments: [Segment]

    /// The pattern as the route table and the `routes` command show it: `/api/post/[pid]`.
    public var pattern: String { "/" + segments.map(\.text).joined(separator: "/") }

    /// Parses a route file's path relative to its target, such as `api/post/[...slug].swift`.
    public init(file: String) throws(RouteDiagnostic) {
        guard file.hasSuffix(".swift") else {
            throw RouteDiagnostic(files: [file], message: "a route file must end in .swift")
        }
        var parts = file.dropLast(6).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "index" { parts.removeLast() }
        do {
            segments = try RouteSegment.segments(parts)
        } catch {
            throw RouteDiagnostic(files: [file], message: error.message)
        }
    }
}
