/// A route file's source as the tokens the route scanner reads: identifiers, keywords, attributes,
/// compiler directives and the punctuation that shapes declarations, each with its line. Comments
/// (nested block comments too) and string literals (multi-line, raw with any number of `#`, and
/// their interpolations) are skipped whole, so nothing inside them is read as code.
///
/// It runs in one pass, in time linear in the source.
struct SwiftTokens {
    struct Token: Equatable {
        enum Kind: Equatable {
            /// A name or keyword; a backquoted name without its backquotes.
            case word
            /// `@name`, the attribute's name without the `@`.
            case attribute
            /// `#if`, `#elseif`, `#else`, `#endif` and other `#` words, with the `#`.
            case directive
            /// One of `{ } ( ) [ ] < > : ; , . =`.
            case punctuation
            /// A string literal, whatever it held.
            case string
        }

        var kind: Kind
        var text: String
        var line: Int
    }

    /// What the lexer could not read: an unterminated comment or string.
    struct Failure: Error, Equatable {
        var line: Int
        var message: String
    }

    private(set) var tokens: [Token] = []
    private let characters: [Character]
    private var index = 0
    private var line = 1

    init(_ source: String) throws(Failure) {
        characters = Array(source)
        try lex(until: nil)
    }

    private var current: Character? { index < characters.count ? characters[index] : nil }
    private func peek(_ offset: Int) -> Character? { index + offset < characters.count ? characters[index + offset] : nil }

    private mutating func advance() {
        if characters[index].isNewline { line += 1 }
        index += 1
    }

    private static let punctuation: Set<Character> = ["{", "}", "(", ")", "[", "]", "<", ">", ":", ";", ",", ".", "="]

    /// Lexes tokens until the end, or until the `)` that closes an interpolation (`closing`).
    private mutating func lex(until closing: Character?) throws(Failure) {
        var depth = 0
        while let character = current {
            if character == "/", peek(1) == "/" {
                while let next = current, !next.isNewline { advance() }
            } else if character == "/", peek(1) == "*" {
                try skipBlockComment()
            } else if character == "\"" || (character == "#" && startsRawString()) {
                let start = line
                try skipString()
                tokens.append(Token(kind: .string, text: "\"\"", line: start))
            } else if character == "#", let next = peek(1), next.isLetter {
                advance()
                tokens.append(Token(kind: .directive, text: "#" + readWord(), line: line))
            } else if character == "@", let next = peek(1), next.isLetter || next == "_" {
                advance()
                tokens.append(Token(kind: .attribute, text: readWord(), line: line))
            } else if character == "`" {
                let start = line
                advance()
                var name = ""
                while let next = current, next != "`", !next.isNewline {
                    name.append(next)
                    advance()
                }
                if current == "`" { advance() }
                tokens.append(Token(kind: .word, text: name, line: start))
            } else if Self.isWordStart(character) {
                tokens.append(Token(kind: .word, text: readWord(), line: line))
            } else if let closing, character == closing, depth == 0 {
                advance()
                return
            } else {
                if character == "(" { depth += 1 }
                if character == ")" { depth -= 1 }
                if Self.punctuation.contains(character) {
                    tokens.append(Token(kind: .punctuation, text: String(character), line: line))
                }
                advance()
            }
        }
        if closing != nil { throw Failure(line: line, message: "an interpolation in a string literal is not closed") }
    }

    private static func isWordStart(_ character: Character) -> Bool {
        character.isLetter || character == "_" || character == "$"
    }

    private mutating func readWord() -> String {
        var word = ""
        while let next = current, next.isLetter || next.isNumber || next == "_" || next == "$" {
            word.append(next)
            advance()
        }
        return word
    }

    private mutating func skipBlockComment() throws(Failure) {
        let start = line
        advance()
        advance()
        var depth = 1
        while depth > 0 {
            guard let character = current else { throw Failure(line: start, message: "a /* comment is not closed") }
            if character == "*", peek(1) == "/" {
                advance()
                depth -= 1
            } else if character == "/", peek(1) == "*" {
                advance()
                depth += 1
            }
            advance()
        }
    }

    /// Whether the `#`s here open a raw string: `#"`, `##"`, ….
    private func startsRawString() -> Bool {
        var offset = 0
        while peek(offset) == "#" { offset += 1 }
        return peek(offset) == "\""
    }

    /// Skips a string literal from its first `#` or `"`: its delimiters, its escapes, and its
    /// interpolations, whose code may hold strings of its own.
    private mutating func skipString() throws(Failure) {
        let start = line
        var hashes = 0
        while current == "#" {
            hashes += 1
            advance()
        }
        let multiline = peek(1) == "\"" && peek(2) == "\""
        for _ in 0..<(multiline ? 3 : 1) { advance() }
        func unterminated() -> Failure { Failure(line: start, message: "a string literal is not closed") }
        while let character = current {
            if character == "\\", hashesFollow(hashes, from: 1) {
                for _ in 0...hashes { advance() }
                if current == "(" {
                    advance()
                    // The interpolation's code is lexed to find where it ends, then dropped.
                    let mark = tokens.count
                    try lex(until: ")")
                    tokens.removeSubrange(mark...)
                } else if current != nil {
                    advance()
                }
                continue
            }
            if character.isNewline && !multiline { throw unterminated() }
            if character == "\"", !multiline || (peek(1) == "\"" && peek(2) == "\""), hashesFollow(hashes, from: multiline ? 3 : 1) {
                for _ in 0..<((multiline ? 3 : 1) + hashes) { advance() }
                return
            }
            advance()
        }
        throw unterminated()
    }

    private func hashesFollow(_ count: Int, from offset: Int) -> Bool {
        (0..<count).allSatisfy { peek(offset + $0) == "#" }
    }
}
