/// The URL pattern a route file's path gives.
///
/// `api/users/[id].swift` gives `/api/users/[id]`; `api/posts/index.swift` gives `/api/posts`.
public struct RoutePath: Equatable, Sendable {
    /// One segment of the pattern.
    public enum Segment: Equatable, Sendable {
        case literal(String)
        case param(String)
        case catchAll(String)
        case optionalCatchAll(String)

        var text: String {
            switch self {
            case .literal(let name): name
            case .param(let name): "[\(name)]"
            case .catchAll(let name): "[...\(name)]"
            case .optionalCatchAll(let name): "[[...\(name)]]"
            }
        }

        /// The segment with its param name left out: two routes clash when these are equal.
        var shape: String {
            switch self {
            case .literal(let name): name
            case .param: "[]"
            case .catchAll: "[...]"
            case .optionalCatchAll: "[[...]]"
            }
        }
    }

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
        var segments: [Segment] = []
        for part in parts {
            segments.append(try RoutePath.segment(part, file: file))
        }
        for (index, segment) in segments.enumerated() where index < segments.count - 1 {
            switch segment {
            case .catchAll, .optionalCatchAll:
                throw RouteDiagnostic(files: [file], message: "catch-all segment '\(segment.text)' must be the last part of the path")
            default: continue
            }
        }
        self.segments = segments
    }

    static func segment(_ part: String, file: String) throws(RouteDiagnostic) -> Segment {
        func invalid(_ why: String) -> RouteDiagnostic {
            RouteDiagnostic(files: [file], message: "invalid segment name '\(part)': \(why)")
        }
        if part.hasPrefix("[[") || part.hasSuffix("]]") {
            guard part.hasPrefix("[[..."), part.hasSuffix("]]") else {
                throw invalid("an optional catch-all is written [[...name]]")
            }
            let name = String(part.dropFirst(5).dropLast(2))
            guard isIdentifier(name) else { throw invalid("'\(name)' is not a valid param name (letters, digits and _)") }
            return .optionalCatchAll(name)
        }
        if part.hasPrefix("[") || part.hasSuffix("]") {
            guard part.hasPrefix("["), part.hasSuffix("]") else { throw invalid("a dynamic segment is written [name]") }
            var name = String(part.dropFirst().dropLast())
            var catchAll = false
            if name.hasPrefix("...") {
                name = String(name.dropFirst(3))
                catchAll = true
            }
            guard isIdentifier(name) else { throw invalid("'\(name)' is not a valid param name (letters, digits and _)") }
            return catchAll ? .catchAll(name) : .param(name)
        }
        guard !part.isEmpty else { throw invalid("empty segment") }
        let allowed = part.unicodeScalars.allSatisfy { scalar in
            (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~@".unicodeScalars.contains(scalar))
        }
        guard allowed, part != ".", part != ".." else {
            throw invalid("use letters, digits, and - . _ ~ @ in a route segment")
        }
        return .literal(part)
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
