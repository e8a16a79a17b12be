/// One segment of a route's URL pattern, as a route file's path writes it: one home for the grammar,
/// shared by the route compiler (which reads `api/` paths) and the core (which matches requests).
public enum RouteSegment: Equatable, Hashable, Sendable {
    /// A fixed name: `create`.
    case literal(String)
    /// `[pid]`: one segment.
    case param(String)
    /// `[...slug]`: one or more segments.
    case catchAll(String)
    /// `[[...slug]]`: zero or more segments.
    case optionalCatchAll(String)

    /// The segment as written: `[pid]`, `[...slug]`.
    public var text: String {
        switch self {
        case .literal(let name): name
        case .param(let name): "[\(name)]"
        case .catchAll(let name): "[...\(name)]"
        case .optionalCatchAll(let name): "[[...\(name)]]"
        }
    }

    /// The segment with its param name left out: two routes clash when these are equal.
    public var shape: String {
        switch self {
        case .literal(let name): name
        case .param: "[]"
        case .catchAll: "[...]"
        case .optionalCatchAll: "[[...]]"
        }
    }

    /// Why a segment or a pattern is not valid: the message names the segment.
    public struct Invalid: Error, Equatable, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }

        public init(message: String) { self.message = message }
    }

    /// Reads one segment: a literal of letters, digits and `- . _ ~ @`, or `[name]`, `[...name]`,
    /// `[[...name]]` with a name of ASCII letters, digits and `_`.
    public init(parsing part: String) throws(Invalid) {
        func invalid(_ why: String) -> Invalid { Invalid(message: "invalid segment name '\(part)': \(why)") }
        if part.hasPrefix("[[") || part.hasSuffix("]]") {
            guard part.hasPrefix("[[..."), part.hasSuffix("]]") else { throw invalid("an optional catch-all is written [[...name]]") }
            let name = String(part.dropFirst(5).dropLast(2))
            guard RouteSegment.isIdentifier(name) else { throw invalid("'\(name)' is not a valid param name (letters, digits and _)") }
            self = .optionalCatchAll(name)
            return
        }
        if part.hasPrefix("[") || part.hasSuffix("]") {
            guard part.hasPrefix("["), part.hasSuffix("]") else { throw invalid("a dynamic segment is written [name]") }
            var name = String(part.dropFirst().dropLast())
            let catchAll = name.hasPrefix("...")
            if catchAll { name = String(name.dropFirst(3)) }
            guard RouteSegment.isIdentifier(name) else { throw invalid("'\(name)' is not a valid param name (letters, digits and _)") }
            self = catchAll ? .catchAll(name) : .param(name)
            return
        }
        guard !part.isEmpty else { throw invalid("empty segment") }
        let allowed = part.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~@".unicodeScalars.contains(scalar)
        }
        guard allowed, part != ".", part != ".." else { throw invalid("use letters, digits, and - . _ ~ @ in a route segment") }
        self = .literal(part)
    }

    /// Reads a whole pattern's segments (`/api/post/[...slug]`): each valid, and a catch-all only last.
    public static func segments(of pattern: some StringProtocol) throws(Invalid) -> [RouteSegment] {
        try segments(pattern.split(separator: "/"))
    }

    /// Reads the parts of a path as segments: each valid, and a catch-all only last.
    public static func segments(_ parts: some Sequence<some StringProtocol>) throws(Invalid) -> [RouteSegment] {
        var segments: [RouteSegment] = []
        for part in parts { segments.append(try RouteSegment(parsing: String(part))) }
        for segment in segments.dropLast() {
            switch segment {
            case .catchAll, .optionalCatchAll:
                throw Invalid(message: "catch-all segment '\(segment.text)' must be the last part of the path")
            default: continue
            }
        }
        return segments
    }

    /// Whether `name` may name a param: ASCII letters, digits and `_`, not starting with a digit, so
    /// that the generated `Params` struct can have it as a property.
    public static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
