import Synchronization

/// A regular expression of the subset JSON Schema recommends for `pattern` (ECMA-262's syntax), for
/// ``Validator/pattern(_:)``: compiled once, and matched in time linear in the text, whatever the
/// pattern and whatever the text.
///
/// It takes literal characters and escapes (`\.`, `\t`, `\n`, `\u00e9`, `\u{1F600}`, `\x41`),
/// `.`, classes (`[a-z0-9_]`, `[^,]`, `\d`, `\w`, `\s` and their complements), groups (`(…)`,
/// `(?:…)`, `(?<name>…)`), alternation (`|`), quantifiers (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`,
/// lazy or not: a match is a match) and the anchors `^` and `$`. As in JSON Schema, the pattern is
/// searched for anywhere in the text: anchor it (`^…$`) to match the whole. What needs
/// backtracking to match (back-references, lookahead and lookbehind) and word boundaries are not
/// taken: a pattern with them is a problem the app reports at start.
///
/// The pattern becomes the program of a Thompson automaton (``maximumLength`` instructions at
/// most), run over the text's Unicode scalars as a set of threads, one bit per instruction: each
/// scalar moves every live thread at once, with no backtracking for a hostile text to exploit, so
/// a text of n scalars costs at most n × the program's length / 64 word operations. The sets met
/// are kept as the states of a DFA built as texts need them, so a text usually
/// costs one table lookup per scalar; a pattern whose DFA would be too large (`a[ab]{20}$`) goes on
/// with the threads alone.
public struct Pattern: Sendable, CustomStringConvertible {
    /// The pattern as written, as the document shows it.
    public let source: String
    let program: [Instruction]
    /// Where the scalars' classes begin: scalars between the same cuts are taken by the same
    /// instructions, so a step needs only the class.
    let cuts: [UInt32]
    /// Words per set of threads.
    let words: Int
    /// By instruction, `words` words each: the threads reached from it without taking a scalar, in
    /// the middle of the text (after a scalar's instruction, and from the start of the program).
    let follow: [UInt64]
    /// By class, `words` words each: the instructions that take a scalar of the class.
    let takes: [UInt64]
    /// The instructions that wait for the end (`$`).
    let waiting: [UInt64]
    let dfa: PatternDFA

    /// The most instructions a pattern may compile to: `{n,m}` repeats what it follows, so
    /// `[a-z]{1,100}` is about 200.
    public static let maximumLength = 2_000

    enum Instruction: Sendable, Equatable {
        /// Takes one scalar in the set.
        case scalar(ScalarSet)
        /// Goes on at both places.
        case split(Int, Int)
        case jump(Int)
        /// Goes on only at the start of the text.
        case atStart
        /// Goes on only at the end of the text.
        case atEnd
        case match
    }

    /// The pattern `source`, compiled; throws ``PatternError`` naming what it cannot take, and where.
    public init(_ source: String) throws(PatternError) {
        var parser = PatternParser(Array(source.unicodeScalars))
        let node = try parser.parse()
        var program: [Instruction] = []
        try node.emit(into: &program)
        program.append(.match)
        self.source = source
        self.program = program

        var cutSet = Set<UInt32>()
        for case .scalar(let set) in program {
            for range in set.ranges {
                cutSet.insert(range.lowerBound)
                if range.upperBound < UInt32.max { cutSet.insert(range.upperBound + 1) }
            }
        }
        cuts = cutSet.sorted()
        let words = (program.count + 63) / 64
        self.words = words

        var follow = [UInt64](repeating: 0, count: (program.count + 1) * words)
        var waiting = [UInt64](repeating: 0, count: words)
        for pc in program.indices {
            if pc == 0 || { if case .scalar = program[pc - 1] { true } else { false } }() {
                for reached in Self.closure(program, from: [pc], atStart: false, atEnd: false) { follow[pc * words + reached / 64] |= 1 << (reached % 64) }
            }
            if program[pc] == .atEnd { waiting[pc / 64] |= 1 << (pc % 64) }
        }
        var takes = [UInt64](repeating: 0, count: (cuts.count + 1) * words)
        for symbol in 0...cuts.count {
            let representative = symbol == 0 ? 0 : cuts[symbol - 1]
            for pc in program.indices {
                if case .scalar(let set) = program[pc], set.contains(representative) { takes[symbol * words + pc / 64] |= 1 << (pc % 64) }
            }
        }
        self.follow = follow
        self.takes = takes
        self.waiting = waiting
        dfa = PatternDFA()
    }

    public var description: String { source }

    /// Whether the pattern occurs in `text`: through the DFA, or, while another thread holds it,
    /// with the threads alone.
    public func matches(_ text: String) -> Bool {
        if let found = dfa.cache.withLockIfAvailable({ cache in search(text, &cache) }) { return found }
        return simulate(text)
    }

    /// The same search with the threads alone, as when another thread holds the DFA.
    package func simulate(_ text: String) -> Bool {
        var scalars = text.unicodeScalars.makeIterator()
        return run(from: startSet, &scalars, empty: true)
    }

    /// The class of `scalar`: how many cuts are at or below it.
    func classOf(_ scalar: UInt32) -> Int {
        var low = 0, high = cuts.count
        while low < high {
            let middle = (low + high) / 2
            if cuts[middle] <= scalar { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The threads at the start of the text.
    var startSet: [UInt64] {
        var set = [UInt64](repeating: 0, count: words)
        for pc in Self.closure(program, from: [0], atStart: true, atEnd: false) { set[pc / 64] |= 1 << (pc % 64) }
        return set
    }

    /// Whether `set` holds the match.
    func accepts(_ set: [UInt64]) -> Bool {
        let pc = program.count - 1
        return set[pc / 64] & (1 << (pc % 64)) != 0
    }

    /// The threads after a scalar of class `symbol`: each live one that takes it goes on, and a new
    /// one starts, as a match may begin anywhere.
    func step(_ set: [UInt64], _ symbol: Int, into next: inout [UInt64]) {
        let words = self.words
        follow.withUnsafeBufferPointer { follow in
            takes.withUnsafeBufferPointer { takes in
                set.withUnsafeBufferPointer { set in
                    next.withUnsafeMutableBufferPointer { next in
                        for word in 0..<words { next[word] = follow[word] }
                        for word in 0..<words {
                            var live = set[word] & takes[symbol * words + word]
                            while live != 0 {
                                let base = (word * 64 + live.trailingZeroBitCount + 1) * words
                                for target in 0..<words { next[target] |= follow[base + target] }
                                live &= live - 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// Runs the threads from `set` over the rest of the scalars.
    private func run(from set: [UInt64], _ scalars: inout String.UnicodeScalarView.Iterator, empty: Bool) -> Bool {
        var current = set, next = set
        var empty = empty
        if accepts(current) { return true }
        while let scalar = scalars.next() {
            empty = false
            step(current, classOf(scalar.value), into: &next)
            if accepts(next) { return true }
            swap(&current, &next)
        }
        return acceptsAtEnd(current, empty: empty)
    }

    /// Whether the threads waiting for `$` in `set` reach the match at the end of the text.
    func acceptsAtEnd(_ set: [UInt64], empty: Bool) -> Bool {
        var starts: [Int] = []
        for word in 0..<words {
            var blocked = set[word] & waiting[word]
            while blocked != 0 {
                starts.append(word * 64 + blocked.trailingZeroBitCount + 1)
                blocked &= blocked - 1
            }
        }
        return !starts.isEmpty && Self.closure(program, from: starts, atStart: empty, atEnd: true).contains(program.count - 1)
    }

    /// The search through the DFA: one transition per scalar, made the first time it is needed. A
    /// text that fills the cache more than once goes on with the threads alone.
    private func search(_ text: String, _ cache: inout PatternDFA.Cache) -> Bool {
        let classCount = cuts.count + 1
        if cache.start == nil {
            let set = startSet
            cache.start = cache.state(set, accepting: accepts(set), classCount: classCount)
        }
        var state = cache.start!
        if cache.accepting[state] { return true }
        var scalars = text.unicodeScalars.makeIterator()
        var empty = true
        var restarts = 0
        var next = [UInt64](repeating: 0, count: words)
        while let scalar = scalars.next() {
            empty = false
            let symbol = classOf(scalar.value)
            var target = Int(cache.transitions[state * classCount + symbol])
            if target < 0 {
                step(cache.sets[state], symbol, into: &next)
                let generation = cache.generation
                target = cache.state(next, accepting: accepts(next), classCount: classCount)
                if cache.generation == generation {
                    cache.transitions[state * classCount + symbol] = Int32(target)
                } else {
                    // The cache started again; twice in one text, the states are not worth keeping.
                    restarts += 1
                    if restarts > 1 { return accepts(next) || run(from: next, &scalars, empty: false) }
                }
            }
            state = target
            if cache.accepting[state] { return true }
        }
        return acceptsAtEnd(cache.sets[state], empty: empty)
    }

    /// The instructions that take a scalar, match, or wait for the end, reached from `starts`
    /// without taking a scalar.
    static func closure(_ program: [Instruction], from starts: [Int], atStart: Bool, atEnd: Bool) -> [Int] {
        var seen = [Bool](repeating: false, count: program.count)
        var kept: [Int] = []
        var stack = starts
        while let pc = stack.popLast() {
            guard !seen[pc] else { continue }
            seen[pc] = true
            switch program[pc] {
            case .scalar, .match: kept.append(pc)
            case .jump(let target): stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .atStart: if atStart { stack.append(pc + 1) }
            case .atEnd: if atEnd { stack.append(pc + 1) } else { kept.append(pc) }
            }
        }
        return kept
    }
}

/// The DFA of a pattern, its states the sets of threads that texts have met, shared by every text
/// the pattern checks.
///
/// Invariant: the cache is only touched under its lock; a search that finds it held by another
/// thread runs the threads alone instead of waiting.
final class PatternDFA: Sendable {
    /// States past which the cache starts again, the most words their sets may take in all, and
    /// the most transitions (states × classes) it may hold.
    static let stateLimit = 1_000
    static let wordLimit = 100_000
    static let transitionLimit = 1 << 20

    struct Cache {
        var index: [[UInt64]: Int] = [:]
        var sets: [[UInt64]] = []
        var accepting: [Bool] = []
        /// By state and class: the next state, or -1 until a text needs it.
        var transitions: [Int32] = []
        var start: Int?
        var words = 0
        /// How often the cache started again.
        var generation = 0

        /// The state of `set`, made if new; a full cache starts again first.
        mutating func state(_ set: [UInt64], accepting isAccepting: Bool, classCount: Int) -> Int {
            if let known = index[set] { return known }
            if sets.count >= PatternDFA.stateLimit || words + set.count > PatternDFA.wordLimit
                || transitions.count + classCount > PatternDFA.transitionLimit
            {
                index.removeAll(keepingCapacity: true)
                sets.removeAll(keepingCapacity: true)
                accepting.removeAll(keepingCapacity: true)
                transitions.removeAll(keepingCapacity: true)
                start = nil
                words = 0
                generation += 1
            }
            let id = sets.count
            index[set] = id
            sets.append(set)
            accepting.append(isAccepting)
            transitions.append(contentsOf: repeatElement(-1, count: classCount))
            words += set.count
            return id
        }
    }

    let cache = Mutex(Cache())
}
