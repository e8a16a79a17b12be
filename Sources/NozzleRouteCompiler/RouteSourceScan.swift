import NozzleRouteGrammar

/// What a route file declares: its route type and the handlers it has.
///
/// The scan reads the file's tokens (``SwiftTokens``), not its text: it finds the one top-level
/// type that conforms to `APIRoute`, and the static members of that type and of its extensions,
/// whatever their modifiers and attributes. Members of other types, and words in comments and
/// strings, do not count. What the generated route table could not use (a private handler, one
/// that is not static, one under `#if`) is an error naming the file and line, never a route that
/// silently answers 405.
public struct RouteSourceScan: Equatable, Sendable {
    /// The type that conforms to `APIRoute`.
    public let typeName: String
    /// The handlers found, in a fixed order: `GET`, `POST`, … and `handler` (every method).
    public let handlers: [String]

    /// The route type's `///` doc comment, without the slashes; empty when it has none.
    public let documentation: String
    /// Each handler's `///` doc comment, by handler name, for those that have one.
    public let handlerDocumentation: [String: String]
    /// Whether the route type declares `params` or `Params` itself, in which case the generated
    /// typed params are left out rather than clash with it.
    public let declaresParams: Bool

    /// Handler names a route type may declare.
    public static let handlerNames = HTTPMethod.allCases.map(\.rawValue) + ["handler"]

    /// Finds the route type and its handlers in a route file's source.
    ///
    /// - Throws: a diagnostic, with the line where it can say one, when the file declares no route
    ///   type, two, or no handler, or a handler the route table cannot call.
    public init(source: String, file: String) throws(RouteDiagnostic) {
        let tokens: [SwiftTokens.Token]
        do {
            tokens = try SwiftTokens(source).tokens
        } catch {
            throw RouteDiagnostic(files: [file], message: error.message, line: error.line)
        }
        let declarations: Declarations
        do {
            declarations = try Declarations(tokens)
        } catch {
            throw RouteDiagnostic(files: [file], message: error.message, line: error.line)
        }
        let types = declarations.routeTypes
        guard let type = types.first else {
            throw RouteDiagnostic(files: [file], message: "no route type: declare one type that conforms to APIRoute, such as 'enum Hello: APIRoute { … }'")
        }
        guard types.count == 1 else {
            throw RouteDiagnostic(
                files: [file], message: "two route types (\(types.map(\.name).joined(separator: ", "))): a route file declares exactly one type that conforms to APIRoute",
                line: types[1].line)
        }
        if type.underCondition {
            throw RouteDiagnostic(
                files: [file], message: "\(type.name) is declared under #if: the route table refers to it in every build; declare it outside #if", line: type.line)
        }
        let members = declarations.members(of: type.name)
        var found: [String: Declarations.Member] = [:]
        for member in members where RouteSourceScan.handlerNames.contains(member.name) && member.isFunctionOrValue {
            try RouteSourceScan.check(member, of: type.name, file: file)
            if found[member.name] == nil { found[member.name] = member }
        }
        let handlers = RouteSourceScan.handlerNames.filter { found[$0] != nil }
        guard !handlers.isEmpty else {
            let lowercase = members.first { $0.isStatic && RouteSourceScan.handlerNames.contains($0.name.uppercased()) && $0.name != $0.name.uppercased() }
            let hint = lowercase.map { " ('\($0.name)' is not a handler name: methods are upper case, '\($0.name.uppercased())')" } ?? ""
            throw RouteDiagnostic(
                files: [file], message: "\(type.name) declares no handler: add 'static func GET(_ req: Request, _ res: Response) async throws' or another method\(hint)",
                line: lowercase?.line)
        }
        typeName = type.name
        self.handlers = handlers
        declaresParams = members.contains { $0.name == "params" || $0.name == "Params" }
        documentation = RouteSourceScan.docComment(in: source, above: type.firstLine)
        var docs: [String: String] = [:]
        for (name, member) in found {
            let doc = RouteSourceScan.docComment(in: source, above: member.firstLine)
            if !doc.isEmpty { docs[name] = doc }
        }
        handlerDocumentation = docs
    }

    /// A handler the generated route table calls as `Type.NAME` from another file, in every build.
    static func check(_ member: Declarations.Member, of type: String, file: String) throws(RouteDiagnostic) {
        if !member.isStatic {
            throw RouteDiagnostic(
                files: [file], message: "\(type).\(member.name) is not static: handlers are 'static func \(member.name)(_ req: Request, _ res: Response)'", line: member.line)
        }
        if let hidden = member.modifiers.first(where: { $0 == "private" || $0 == "fileprivate" }) {
            throw RouteDiagnostic(
                files: [file], message: "\(type).\(member.name) is \(hidden): the route table calls it from another file; leave out '\(hidden)'", line: member.line)
        }
        if member.underCondition {
            throw RouteDiagnostic(
                files: [file], message: "\(type).\(member.name) is declared under #if: the route table calls it in every build; declare it outside #if", line: member.line)
        }
    }

    /// The `///` lines right above `line` (the first line of a declaration, its attributes
    /// included), without the slashes.
    static func docComment(in source: String, above line: Int) -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        var collected: [String] = []
        var index = line - 2
        while index >= 0 {
            let text = lines[index].drop { $0 == " " || $0 == "\t" }
            guard text.hasPrefix("///") else { break }
            var comment = text.dropFirst(3)
            if comment.first == " " { comment = comment.dropFirst() }
            collected.append(String(comment).trimmingSuffix())
            index -= 1
        }
        return collected.reversed().joined(separator: "\n").trimmingEmptyLines()
    }
}

extension String {
    fileprivate func trimmingSuffix() -> String {
        var text = Substring(self)
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
        return String(text)
    }

    fileprivate func trimmingEmptyLines() -> String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false)
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
