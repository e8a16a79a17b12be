import Foundation
import Nozzle
import Testing

/// `Validator.pattern`: the subset of ECMA-262 that JSON Schema recommends, matched by a Thompson
/// automaton; its answers compared with a backtracking engine's on many patterns and texts.
struct PatternTests {
    @Test(arguments: [
        // (pattern, text, matches)
        ("^[a-z0-9-]+$", "a-slug-42", true),
        ("^[a-z0-9-]+$", "Not a slug", false),
        ("^[a-z0-9-]+$", "", false),
        ("abc", "xxabcxx", true),  // searched for anywhere, as JSON Schema says
        ("^abc", "xxabc", false),
        ("abc$", "abcx", false),
        ("^a{3}$", "aaa", true),
        ("^a{3}$", "aa", false),
        ("^a{3}$", "aaaa", false),
        ("^a{2,}$", "a", false),
        ("^a{2,}$", "aaaaa", true),
        ("^a{1,2}b$", "aab", true),
        ("^a{1,2}b$", "aaab", false),
        ("^a{0}b$", "b", true),
        ("^(cat|dog)s?$", "dogs", true),
        ("^(cat|dog)s?$", "cow", false),
        ("^(?:ab)+$", "ababab", true),
        ("^(?:ab)+$", "ababa", false),
        ("^(?<year>\\d{4})-\\d{2}$", "2026-12", true),
        ("^\\d+$", "０１", false),  // \d is ASCII digits only, as in ECMA-262
        ("^\\w+$", "snake_case9", true),
        ("^\\w+$", "kebab-case", false),
        ("^\\s*$", " \t\u{00A0}\u{FEFF}", true),
        ("\\S", "   ", false),
        ("^\\D\\W\\S$", "a!b", true),
        ("^[^,]+$", "a,b", false),
        ("^[^,]+$", "ab", true),
        ("^[\\d.]+$", "1.5", true),
        ("^[a\\-z]+$", "-", true),
        ("^[a\\-z]+$", "b", false),
        ("^[-a]+$", "-a", true),
        ("^[a-]+$", "a-", true),
        ("^.$", "\n", false),
        ("^.$", "é", true),
        ("^.$", "😀", true),  // one scalar
        ("^\\u00e9$", "é", true),
        ("^\\u{1F600}$", "😀", true),
        ("^\\x41$", "A", true),
        ("^\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\/\\^\\$\\\\$", ".*+?()[]{}|/^$\\", true),
        ("^[]$", "", false),
        ("^[^]$", "x", true),
        ("^a*?b+?c??$", "aabbc", true),
        ("^$", "", true),
        ("(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
        ("^(a|ab)(c|bcd)(d*)$", "abcd", true),
        ("x|", "anything", true),
    ])
    func matches(pattern: String, text: String, expected: Bool) throws {
        let compiled = try Pattern(pattern)
        #expect(compiled.matches(text) == expected, "\(pattern) on \(text.debugDescription)")
        #expect(compiled.matches(text) == expected, "\(pattern) on \(text.debugDescription), again, from the DFA's states")
        #expect(compiled.simulate(text) == expected, "\(pattern) on \(text.debugDescription), simulated")
    }

    @Test(arguments: [
        ("(a", "a group does not close"),
        ("a)", "unmatched ')'"),
        ("[a-", "a class [ … ] does not close"),
        ("[z-a]", "the class range is out of order"),
        ("*a", "nothing to repeat"),
        ("a**", "nothing to repeat"),
        ("^*", "nothing to repeat"),
        ("a{2,1}", "the repetition count {2,1} is out of order"),
        ("a{x}", "'{' starts no repetition count: write \\{ for the character"),
        ("a{2", "a repetition count {n}, {n,} or {n,m} does not close"),
        ("(a)\\1", "back-references are not taken: they need backtracking"),
        ("a(?=b)", "lookahead and lookbehind are not taken: they need backtracking"),
        ("(?<!a)b", "lookahead and lookbehind are not taken: they need backtracking"),
        ("\\bword", "word boundaries (\\b, \\B) are not taken"),
        ("\\q", "the escape \\q is not one ECMA-262 defines"),
        ("\\u12", "an escape wants 4 hex digits"),
        ("a\\", "the pattern ends with \\"),
        ("[\\d-z]", "a class range has a class such as \\d at an end"),
        ("(a{1000}){1000}", "the pattern is too long once its repetitions are counted: at most 2000 steps"),
    ])
    func refuses(pattern: String, reason: String) {
        #expect(throws: PatternError.self) { try Pattern(pattern) }
        do {
            _ = try Pattern(pattern)
        } catch {
            #expect(error.reason == reason, "\(pattern)")
        }
    }

    @Test func groupsNestedTooDeepAreRefused() {
        #expect(throws: PatternError.self) { try Pattern(String(repeating: "(", count: 101) + "a" + String(repeating: ")", count: 101)) }
        #expect(throws: Never.self) { try Pattern(String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100)) }
    }

    /// `a` twelve from the end needs 2¹² states, past the cache's limit: it starts again as often
    /// as it fills, and answers as the threads alone and ICU do.
    @Test func aDFAThatOutgrowsItsCacheStillAnswers() throws {
        let pattern = "a[ab]{11}$"
        let compiled = try Pattern(pattern)
        let regex = try NSRegularExpression(pattern: pattern)
        var random = SplitMix(seed: 7)
        for length in [0, 11, 12, 13, 500, 5_000, 20_000] {
            for _ in 0..<4 {
                let text = String((0..<length).map { _ in random.next(below: 2) == 0 ? "a" : "b" })
                let expected = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
                #expect(compiled.matches(text) == expected, "length \(length)")
                #expect(compiled.simulate(text) == expected, "length \(length)")
            }
        }
    }

    /// Random patterns of the subset, on random texts, against NSRegularExpression (ICU, a
    /// backtracking engine that agrees with ECMA-262 on this subset when the text holds no line
    /// terminator): the same answer every time.
    @Test func agreesWithABacktrackingEngine() throws {
        var random = SplitMix(seed: 20261205)
        var compared = 0
        for _ in 0..<3_000 {
            let pattern = random.pattern(depth: 0)
            let regex = try NSRegularExpression(pattern: pattern)
            let compiled = try Pattern(pattern)
            for _ in 0..<8 {
                let text = String((0..<random.next(below: 9)).map { _ in "abcx-".randomElement(using: &random)! })
                let range = NSRange(text.startIndex..., in: text)
                let expected = regex.firstMatch(in: text, range: range) != nil
                #expect(compiled.matches(text) == expected, "\(pattern) on \(text.debugDescription)")
                // The threads alone, as a search does while another holds the DFA.
                #expect(compiled.simulate(text) == expected, "\(pattern) on \(text.debugDescription), simulated")
                compared += 1
            }
        }
        #expect(compared == 24_000)
    }
}

/// A small deterministic generator, so that a failure is seen again on the next run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// A pattern of the subset over a, b, c.
    mutating func pattern(depth: Int) -> String {
        var parts: [String] = []
        if next(below: 5) == 0 { parts.append("^") }
        for _ in 0..<(1 + next(below: 3)) { parts.append(quantified(depth: depth)) }
        if next(below: 5) == 0 { parts.append("$") }
        var pattern = parts.joined()
        if depth < 2 && next(below: 4) == 0 { pattern += "|" + self.pattern(depth: depth + 1) }
        return pattern
    }

    mutating func quantified(depth: Int) -> String {
        let atom = self.atom(depth: depth)
        switch next(below: 9) {
        case 0: return atom + "*"
        case 1: return atom + "+"
        case 2: return atom + "?"
        case 3: return atom + "{\(next(below: 3))}"
        case 4: return atom + "{\(next(below: 2)),}"
        case 5: let low = next(below: 2); return atom + "{\(low),\(low + next(below: 3))}"
        default: return atom
        }
    }

    mutating func atom(depth: Int) -> String {
        switch next(below: 8) {
        case 0: return "."
        case 1: return ["[ab]", "[^a]", "[a-c]", "[^b-c]", "\\w", "\\W"][next(below: 6)]
        case 2 where depth < 2: return "(" + pattern(depth: depth + 1) + ")"
        case 3 where depth < 2: return "(?:" + pattern(depth: depth + 1) + ")"
        default: return ["a", "b", "c", "\\-"][next(below: 4)]
        }
    }
}
