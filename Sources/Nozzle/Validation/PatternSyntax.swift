/// What a pattern cannot be compiled for, and where.
public struct PatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let reason: String
    /// The offset, in Unicode scalars, where it was found.
    public let offset: Int

    public var description: String { "\(reason) (at offset \(offset))" }
}

/// Unicode scalar values in ranges, or all but those.
struct ScalarSet: Sendable, Equatable {
    var ranges: [ClosedRange<UInt32>]
    var negated = false

    func contains(_ scalar: UInt32) -> Bool {
        var found = false
        for range in ranges where range.contains(scalar) {
            found = true
            break
        }
        return found != negated
    }

    static func single(_ scalar: UInt32) -> ScalarSet { ScalarSet(ranges: [scalar...scalar]) }
    /// `.`: anything but a line terminator.
    static let any = ScalarSet(ranges: [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029], negated: true)
    static let digit = ScalarSet(ranges: [0x30...0x39])
    static let word = ScalarSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    /// ECMA-262's `\s`: its white space and line terminators.
    static let space = ScalarSet(ranges: [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A, 0x2028...0x2029, 0x202F...0x202F,
        0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ])

    var complement: ScalarSet { ScalarSet(ranges: ranges, negated: !negated) }
}

/// A parsed pattern, before it becomes a program.
indirect enum PatternNode {
    case empty
    case scalar(ScalarSet)
    case sequence([PatternNode])
    case either([PatternNode])
    case repeated(PatternNode, minimum: Int, maximum: Int?)
    case atStart
    case atEnd

    func emit(into program: inout [Pattern.Instruction]) throws(PatternError) {
        guard program.count < Pattern.maximumLength else {
            throw PatternError(reason: "the pattern is too long once its repetitions are counted: at most \(Pattern.maximumLength) steps", offset: 0)
        }
        switch self {
        case .empty: break
        case .scalar(let set): program.append(.scalar(set))
        case .atStart: program.append(.atStart)
        case .atEnd: program.append(.atEnd)
        case .sequence(let nodes):
            for node in nodes { try node.emit(into: &program) }
        case .either(let branches):
            // split(first, rest) … first … jump(end) rest …
            var jumps: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index < branches.count - 1 {
                    let split = program.count
                    program.append(.split(split + 1, 0))
                    try branch.emit(into: &program)
                    jumps.append(program.count)
                    program.append(.jump(0))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try branch.emit(into: &program)
                }
            }
            for jump in jumps { program[jump] = .jump(program.count) }
        case .repeated(let node, let minimum, let maximum):
            for _ in 0..<minimum { try node.emit(into: &program) }
            if let maximum {
                // Each further copy is optional; skipping one skips the rest.
                var skips: [Int] = []
                for _ in minimum..<maximum {
                    skips.append(program.count)
                    program.append(.split(program.count + 1, 0))
                    try node.emit(into: &program)
                }
                for skip in skips { program[skip] = .split(skip + 1, program.count) }
            } else {
                // loop: split(body, end) body jump(loop)
                let loop = program.count
                program.append(.split(loop + 1, 0))
                try node.emit(into: &program)
                program.append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        }
    }
}

/// Reads a pattern's syntax: a recursive descent over its scalars, nested at most 100 deep.
struct PatternParser {
    let scalars: [Unicode.Scalar]
    var position = 0
    var depth = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    func fail(_ reason: String) -> PatternError { PatternError(reason: reason, offset: position) }

    var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    mutating func parse() throws(PatternError) -> PatternNode {
        let node = try alternation()
        if position < scalars.count { throw fail("unmatched ')'") }
        return node
    }

    mutating func alternation() throws(PatternError) -> PatternNode {
        var branches = [try sequence()]
        while peek == "|" {
            position += 1
            branches.append(try sequence())
        }
        return branches.count == 1 ? branches[0] : .either(branches)
    }

    mutating func sequence() throws(PatternError) -> PatternNode {
        var nodes: [PatternNode] = []
        while let scalar = peek, scalar != "|", scalar != ")" {
            let start = position
            var atom = try self.atom()
            if let (minimum, maximum) = try quantifier() {
                switch atom {
                case .atStart, .atEnd, .empty:
                    position = start
                    throw fail("nothing to repeat")
                default: break
                }
                atom = .repeated(atom, minimum: minimum, maximum: maximum)
            }
            nodes.append(atom)
        }
        return nodes.count == 1 ? nodes[0] : nodes.isEmpty ? .empty : .sequence(nodes)
    }

    mutating func quantifier() throws(PatternError) -> (Int, Int?)? {
        guard let scalar = peek else { return nil }
        var result: (Int, Int?)
        switch scalar {
        case "*": result = (0, nil); position += 1
        case "+": result = (1, nil); position += 1
        case "?": result = (0, 1); position += 1
        case "{":
            position += 1
            guard let minimum = number() else { throw fail("'{' starts no repetition count: write \\{ for the character") }
            var maximum: Int? = minimum
            if peek == "," {
                position += 1
                maximum = number()
            }
            guard peek == "}" else { throw fail("a repetition count {n}, {n,} or {n,m} does not close") }
            position += 1
            if let maximum, maximum < minimum { throw fail("the repetition count {\(minimum),\(maximum)} is out of order") }
            result = (minimum, maximum)
        default: return nil
        }
        if peek == "?" { position += 1 }  // lazy: the same set of matches
        if let next = peek, "*+?{".unicodeScalars.contains(next) { throw fail("nothing to repeat") }
        return result
    }

    /// A decimal count; past 100,000 it stays there (a program that long is refused anyway).
    mutating func number() -> Int? {
        var value: Int?
        while let scalar = peek, ("0"..."9").contains(scalar) {
            value = min((value ?? 0) * 10 + Int(scalar.value - 0x30), 100_000)
            position += 1
        }
        return value
    }

    mutating func atom() throws(PatternError) -> PatternNode {
        guard let scalar = peek else { return .empty }
        position += 1
        switch scalar {
        case "^": return .atStart
        case "$": return .atEnd
        case ".": return .scalar(.any)
        case "[": return .scalar(try characterClass())
        case "\\": return .scalar(try escape(inClass: false))
        case "(":
            depth += 1
            guard depth <= 100 else { throw fail("groups nest more than 100 deep") }
            if peek == "?" {
                position += 1
                switch peek {
                case ":"?: position += 1
                case "<"? where position + 1 < scalars.count && scalars[position + 1] != "=" && scalars[position + 1] != "!":
                    // A named group: matched as any group.
                    while let next = peek, next != ">" { position += 1 }
                    guard peek == ">" else { throw fail("a group name does not close") }
                    position += 1
                default: throw fail("lookahead and lookbehind are not taken: they need backtracking")
                }
            }
            let inner = try alternation()
            guard peek == ")" else { throw fail("a group does not close") }
            position += 1
            depth -= 1
            return inner
        case "*", "+", "?":
            position -= 1
            throw fail("nothing to repeat")
        case "{":
            position -= 1
            throw fail("'{' starts no repetition count: write \\{ for the character")
        case "}", "]":
            position -= 1
            throw fail("an unescaped '\(scalar)': write \\\(scalar) for the character")
        default: return .scalar(.single(scalar.value))
        }
    }

    /// After `[`: the class up to its `]`.
    mutating func characterClass() throws(PatternError) -> ScalarSet {
        var set = ScalarSet(ranges: [])
        if peek == "^" {
            set.negated = true
            position += 1
        }
        while true {
            guard let scalar = peek else { throw fail("a class [ … ] does not close") }
            // `[]` matches nothing and `[^]` anything, as in ECMA-262.
            if scalar == "]" { break }
            let low = try classMember()
            if peek == "-", position + 1 < scalars.count, scalars[position + 1] != "]" {
                position += 1
                let high = try classMember()
                guard case .single(let from)? = low, case .single(let to)? = high else {
                    throw fail("a class range has a class such as \\d at an end")
                }
                guard from <= to else { throw fail("the class range is out of order") }
                set.ranges.append(from...to)
            } else {
                switch low {
                case .single(let value)?: set.ranges.append(value...value)
                case .set(let members)?:
                    // \d, \w, \s inside a class; their complements only alone.
                    guard !members.negated else { throw fail("\\D, \\W and \\S are taken outside a class only") }
                    set.ranges += members.ranges
                case nil: break
                }
            }
        }
        position += 1
        return set
    }

    enum ClassMember { case single(UInt32), set(ScalarSet) }

    mutating func classMember() throws(PatternError) -> ClassMember? {
        guard let scalar = peek else { throw fail("a class [ … ] does not close") }
        position += 1
        guard scalar == "\\" else { return .single(scalar.value) }
        let set = try escape(inClass: true)
        if set.ranges.count == 1, !set.negated, set.ranges[0].lowerBound == set.ranges[0].upperBound { return .single(set.ranges[0].lowerBound) }
        return .set(set)
    }

    /// After `\`.
    mutating func escape(inClass: Bool) throws(PatternError) -> ScalarSet {
        guard let scalar = peek else { throw fail("the pattern ends with \\") }
        position += 1
        switch scalar {
        case "d": return .digit
        case "D": return ScalarSet.digit.complement
        case "w": return .word
        case "W": return ScalarSet.word.complement
        case "s": return .space
        case "S": return ScalarSet.space.complement
        case "t": return .single(0x09)
        case "n": return .single(0x0A)
        case "r": return .single(0x0D)
        case "f": return .single(0x0C)
        case "v": return .single(0x0B)
        case "0": return .single(0)
        case "b" where inClass: return .single(0x08)
        case "b", "B": throw fail("word boundaries (\\b, \\B) are not taken")
        case "x": return .single(try hex(digits: 2))
        case "u":
            if peek == "{" {
                position += 1
                var value: UInt32 = 0
                var digits = 0
                while let next = peek, let digit = next.hexValue {
                    value = value &* 16 &+ digit
                    digits += 1
                    position += 1
                    guard digits <= 6 else { throw fail("\\u{…} is too long") }
                }
                guard digits > 0, peek == "}", value <= 0x10FFFF else { throw fail("\\u{…} is not a scalar value") }
                position += 1
                return .single(value)
            }
            return .single(try hex(digits: 4))
        case "1"..."9": throw fail("back-references are not taken: they need backtracking")
        default:
            guard !scalar.properties.isAlphabetic else { throw fail("the escape \\\(scalar) is not one ECMA-262 defines") }
            return .single(scalar.value)
        }
    }

    mutating func hex(digits: Int) throws(PatternError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let digit = peek?.hexValue else { throw fail("an escape wants \(digits) hex digits") }
            value = value * 16 + digit
            position += 1
        }
        return value
    }
}

extension Unicode.Scalar {
    /// The value of a hex digit.
    fileprivate var hexValue: UInt32? {
        switch value {
        case 0x30...0x39: value - 0x30
        case 0x41...0x46: value - 0x41 + 10
        case 0x61...0x66: value - 0x61 + 10
        default: nil
        }
    }
}
