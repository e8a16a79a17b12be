extension RouteSourceScan {
    /// The declarations of a route file that the scan needs, from its tokens: top-level types (the
    /// ones that conform to `APIRoute`), and the members declared directly in each top-level type
    /// or extension, with their modifiers, attributes and lines.
    ///
    /// One pass over the tokens, with a stack of the braces open; a declaration's modifiers are
    /// read back from its keyword, so the whole walk is linear in the tokens.
    struct Declarations {
        struct RouteType: Equatable {
            var name: String
            /// The line of its name.
            var line: Int
            /// The line of its first attribute or modifier, where its doc comment ends above.
            var firstLine: Int
            var underCondition: Bool
        }

        struct Member: Equatable {
            var name: String
            var line: Int
            var firstLine: Int
            /// Modifiers and attributes (`@MainActor`), in source order.
            var modifiers: [String]
            /// A `func`, `let` or `var`; otherwise a nested type or a typealias.
            var isFunctionOrValue: Bool
            var underCondition: Bool
            var isStatic: Bool { modifiers.contains("static") || modifiers.contains("class") }
        }

        struct Failure: Error {
            var line: Int
            var message: String
        }

        private(set) var routeTypes: [RouteType] = []
        private var membersByOwner: [String: [Member]] = [:]

        /// The members declared in `type`'s body and in the bodies of its extensions.
        func members(of type: String) -> [Member] { membersByOwner[type] ?? [] }

        static let modifierWords: Set = [
            "public", "private", "fileprivate", "internal", "package", "open", "static", "class", "final", "nonisolated",
            "override", "dynamic", "lazy", "weak", "unowned", "mutating", "nonmutating", "convenience", "required",
            "optional", "indirect", "distributed", "consuming", "borrowing", "isolated", "sending",
        ]
        static let typeKeywords: Set = ["struct", "enum", "class", "actor", "extension", "protocol"]
        static let memberKeywords: Set = ["func", "let", "var"]

        /// A `{` that is open, and the top-level type or extension whose body it opens, if it does.
        private struct Scope {
            var owner: String?
            var line: Int
        }

        init(_ tokens: [SwiftTokens.Token]) throws(Failure) {
            var scopes: [Scope] = []
            var conditions = 0
            var pendingOwner: String?
            var index = 0
            func word(at offset: Int) -> String? {
                guard offset < tokens.count, tokens[offset].kind == .word else { return nil }
                return tokens[offset].text
            }
            while index < tokens.count {
                let token = tokens[index]
                defer { index += 1 }
                switch (token.kind, token.text) {
                case (.directive, "#if"):
                    conditions += 1
                case (.directive, "#endif"):
                    conditions = max(0, conditions - 1)
                case (.punctuation, "{"):
                    scopes.append(Scope(owner: pendingOwner, line: token.line))
                    pendingOwner = nil
                case (.punctuation, "}"):
                    guard scopes.popLast() != nil else { throw Failure(line: token.line, message: "this '}' closes no '{'") }
                case (.word, let keyword) where Self.typeKeywords.contains(keyword):
                    // `class func`, `class var`: a modifier, read back from the member's keyword.
                    guard let name = word(at: index + 1), !(keyword == "class" && (Self.memberKeywords.contains(name) || Self.modifierWords.contains(name))) else { break }
                    if scopes.isEmpty {
                        if keyword != "extension" && keyword != "protocol" && conformsToAPIRoute(tokens, after: index + 2) {
                            routeTypes.append(RouteType(
                                name: name, line: tokens[index + 1].line, firstLine: firstLine(tokens, before: index),
                                underCondition: conditions > 0))
                        }
                        if keyword != "protocol" { pendingOwner = name }
                    } else if let owner = scopes.last?.owner {
                        record(name: name, at: index, in: tokens, owner: owner, isFunctionOrValue: false, conditions: conditions)
                    }
                case (.word, "typealias"):
                    if let owner = scopes.last?.owner, let name = word(at: index + 1) {
                        record(name: name, at: index, in: tokens, owner: owner, isFunctionOrValue: false, conditions: conditions)
                    }
                case (.word, let keyword) where Self.memberKeywords.contains(keyword):
                    if let owner = scopes.last?.owner, let name = word(at: index + 1) {
                        record(name: name, at: index, in: tokens, owner: owner, isFunctionOrValue: true, conditions: conditions)
                    }
                default:
                    break
                }
            }
            if let open = scopes.last { throw Failure(line: open.line, message: "this '{' is never closed") }
        }

        private mutating func record(name: String, at index: Int, in tokens: [SwiftTokens.Token], owner: String, isFunctionOrValue: Bool, conditions: Int) {
            let (modifiers, start) = Self.modifiers(tokens, before: index)
            membersByOwner[owner, default: []].append(Member(
                name: name, line: tokens[index + 1].line, firstLine: tokens[start].line, modifiers: modifiers,
                isFunctionOrValue: isFunctionOrValue, underCondition: conditions > 0))
        }

        /// Whether the inheritance clause from `start` to the body's `{` lists `APIRoute`.
        private func conformsToAPIRoute(_ tokens: [SwiftTokens.Token], after start: Int) -> Bool {
            var index = start
            var inClause = false
            while index < tokens.count, tokens[index].text != "{" {
                let token = tokens[index]
                if token.kind == .punctuation && token.text == ":" { inClause = true }
                if token.kind == .word && token.text == "where" { return false }
                if inClause && token.kind == .word && token.text == "APIRoute" { return true }
                index += 1
            }
            return false
        }

        private func firstLine(_ tokens: [SwiftTokens.Token], before index: Int) -> Int {
            tokens[Self.modifiers(tokens, before: index).start].line
        }

        /// The modifiers and attributes right before the keyword at `index`, and where they start.
        /// A parenthesized part (`private(set)`, `@available(*, deprecated)`) is stepped over.
        static func modifiers(_ tokens: [SwiftTokens.Token], before index: Int) -> (modifiers: [String], start: Int) {
            var found: [String] = []
            var start = index
            var cursor = index - 1
            while cursor >= 0 {
                let token = tokens[cursor]
                if token.kind == .punctuation && token.text == ")" {
                    var depth = 0
                    var opening = cursor
                    while opening >= 0 {
                        if tokens[opening].text == ")" && tokens[opening].kind == .punctuation { depth += 1 }
                        if tokens[opening].text == "(" && tokens[opening].kind == .punctuation { depth -= 1 }
                        if depth == 0 { break }
                        opening -= 1
                    }
                    // Only a modifier's or an attribute's parentheses.
                    guard opening > 0, tokens[opening - 1].kind == .attribute || modifierWords.contains(tokens[opening - 1].text) else { break }
                    cursor = opening - 1
                    continue
                }
                if token.kind == .attribute {
                    found.append("@" + token.text)
                } else if token.kind == .word && modifierWords.contains(token.text) {
                    found.append(token.text)
                } else {
                    break
                }
                start = cursor
                cursor -= 1
            }
            return (found.reversed(), start)
        }
    }
}
