import Foundation

/// What a route file declares: its route type and the handlers it has.
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
    public static let handlerNames = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "handler"]

    /// Finds the route type and its handlers in a route file's source.
    ///
    /// - Throws: a diagnostic when the file declares no route type, two, or no handler.
    public init(source: String, file: String) throws(RouteDiagnostic) {
        let code = RouteSourceScan.stripCommentsAndStrings(source)
        let types = RouteSourceScan.routeTypes(in: code)
        guard let typeName = types.first else {
            throw RouteDiagnostic(files: [file], message: "no route type: declare one type that conforms to APIRoute, such as 'enum Hello: APIRoute { … }'")
        }
        guard types.count == 1 else {
            throw RouteDiagnostic(files: [file], message: "two route types (\(types.joined(separator: ", "))): a route file declares exactly one type that conforms to APIRoute")
        }
        let declared = RouteSourceScan.staticMembers(in: code)
        let handlers = RouteSourceScan.handlerNames.filter { declared.contains($0) }
        guard !handlers.isEmpty else {
            throw RouteDiagnostic(files: [file], message: "\(typeName) declares no handler: add 'static func GET(_ req: Request, _ res: Response) async throws' or another method")
        }
        self.typeName = typeName
        self.handlers = handlers
        let words = RouteSourceScan.tokens(code)
        declaresParams = declared.contains("params") || declared.contains("Params")
            || words.indices.dropLast().contains { ["struct", "enum", "class", "typealias", "actor"].contains(words[$0]) && words[$0 + 1] == "Params" }
        (documentation, handlerDocumentation) = RouteSourceScan.docComments(in: source, typeName: typeName, handlers: handlers)
    }

    /// The `///` comments right above the route type's declaration and above each handler's, with
    /// attributes and modifiers allowed in between.
    static func docComments(in source: String, typeName: String, handlers: [String]) -> (type: String, handlers: [String: String]) {
        var pending: [String] = []
        var typeDoc = ""
        var handlerDocs: [String: String] = [:]
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("///") {
                var text = line.dropFirst(3)
                if text.first == " " { text = text.dropFirst() }
                pending.append(String(text))
                continue
            }
            if line.hasPrefix("@") && !line.contains("{") { continue }
            let words = tokens(stripCommentsAndStrings(line))
            if let index = words.firstIndex(where: { ["struct", "enum", "class", "actor"].contains($0) }), index + 1 < words.count, words[index + 1] == typeName {
                typeDoc = pending.joined(separator: "\n")
            } else if let index = words.firstIndex(of: "static"), index + 2 < words.count, ["func", "let", "var"].contains(words[index + 1]),
                handlers.contains(words[index + 2]), !pending.isEmpty
            {
                handlerDocs[words[index + 2]] = pending.joined(separator: "\n")
            }
            pending = []
        }
        return (typeDoc.trimmingCharacters(in: .whitespacesAndNewlines), handlerDocs.mapValues { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
    }

    /// Names of types whose inheritance clause lists `APIRoute`.
    static func routeTypes(in code: String) -> [String] {
        var names: [String] = []
        let words = tokens(code)
        var index = 0
        while index < words.count {
            if ["struct", "enum", "class", "actor"].contains(words[index]), index + 1 < words.count {
                let name = words[index + 1]
                var cursor = index + 2
                var inherits: [String] = []
                if cursor < words.count, words[cursor] == ":" {
                    cursor += 1
                    while cursor < words.count, words[cursor] != "{", words[cursor] != "where" {
                        inherits.append(words[cursor])
                        cursor += 1
                    }
                }
                if inherits.contains("APIRoute") || inherits.contains("Nozzle.APIRoute") { names.append(name) }
                index = cursor
            } else {
                index += 1
            }
        }
        return names
    }

    /// Names declared as `static func X`, `static let X` or `static var X`.
    static func staticMembers(in code: String) -> Set<String> {
        let words = tokens(code)
        var names = Set<String>()
        for index in words.indices.dropLast(2) where words[index] == "static" {
            if ["func", "let", "var"].contains(words[index + 1]) { names.insert(words[index + 2]) }
        }
        return names
    }

    /// Identifiers and the punctuation that matters here: `:`, `{`, `,`.
    static func tokens(_ code: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for character in code {
            if character.isLetter || character.isNumber || character == "_" || character == "." {
                current.append(character)
            } else {
                if !current.isEmpty { tokens.append(current) }
                current = ""
                if character == ":" || character == "{" || character == "," || character == "<" || character == "(" {
                    tokens.append(String(character))
                }
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// The source with comments and string literals blanked, so words inside them are not read as code.
    static func stripCommentsAndStrings(_ source: String) -> String {
        var out = ""
        var iterator = Array(source)[...]
        while let character = iterator.popFirst() {
            if character == "/", iterator.first == "/" {
                while let next = iterator.first, next != "\n" { iterator.removeFirst() }
            } else if character == "/", iterator.first == "*" {
                iterator.removeFirst()
                var depth = 1
                while depth > 0, let next = iterator.popFirst() {
                    if next == "*", iterator.first == "/" { iterator.removeFirst(); depth -= 1 }
                    else if next == "/", iterator.first == "*" { iterator.removeFirst(); depth += 1 }
                }
                out.append(" ")
            } else if character == "\"" {
                let multiline = iterator.prefix(2) == ["\"", "\""]
                if multiline { iterator.removeFirst(2) }
                while let next = iterator.popFirst() {
                    if next == "\\" { _ = iterator.popFirst(); continue }
                    if next == "\"" {
                        if !multiline { break }
                        if iterator.prefix(2) == ["\"", "\""] { iterator.removeFirst(2); break }
                    }
                }
                out.append("\"\"")
            } else {
                out.append(character)
            }
        }
        return out
    }
}
