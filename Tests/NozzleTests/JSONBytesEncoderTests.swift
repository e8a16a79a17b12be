@_spi(Fuzzing) import Nozzle
import NozzleTesting
import Testing

/// A key made at run time, as a dictionary's are.
struct StringKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ stringValue: String) { self.stringValue = stringValue }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// `res.json(value)` writes an `Encodable` straight to text; what it writes must be what the tree
/// encoder (``JSONValueEncoder``) gives, for types that encode in order and for those that do not.
struct JSONBytesEncoderTests {
    /// Both encoders' text for `value`.
    func both<T: Encodable>(_ value: T) throws -> (streamed: String, tree: String) {
        let streamed = String(decoding: try JSONBytesEncoder.encode(value), as: UTF8.self)
        return (streamed, try JSONValueEncoder.encode(value).text)
    }

    struct Primitives: Encodable {
        var int = Int.min
        var int8: Int8 = -8
        var int16: Int16 = -16
        var int32: Int32 = .max
        var int64: Int64 = .max
        var uint: UInt = .max
        var uint8: UInt8 = 255
        var uint16: UInt16 = 16
        var uint32: UInt32 = .max
        var uint64: UInt64 = 42
        var big: UInt64 = .max
        var double = 9.5
        var whole = 100.0
        var tiny = Double.leastNonzeroMagnitude
        var nan = Double.nan
        var infinity = -Double.infinity
        var float: Float = 0.1
        var yes = true
        var no = false
        var text = "quote \" slash \\ newline \n tab \t bell \u{07} é 😀"
        var none: String? = nil
        var some: Int? = 3
    }

    @Test func primitivesAsTheTreeWritesThem() throws {
        let (streamed, tree) = try both(Primitives())
        #expect(streamed == tree)
        #expect(streamed.hasPrefix(#"{"int":-9223372036854775808,"int8":-8,"#))
        #expect(streamed.contains(#""big":1.8446744073709552e+19,"#))
        #expect(streamed.contains(#""nan":null,"infinity":null,"#))
        #expect(streamed.contains(#"tab \t bell \u0007 é 😀""#))
        #expect(!streamed.contains("none"))
        #expect(streamed.hasSuffix(#""some":3}"#))
    }

    struct Order: Encodable {
        var id: Int
        var items: [Item]
        var tags: Set<String> = []
        var matrix: [[Int?]] = [[1, nil], [], [3]]
        var extra: JSON = ["b": [1, "x", nil], "a": 2.5]
        var empty = Empty()
        var status = Status.held(reason: "stock", until: nil)
        var counts: [String: Int] = ["only": 1]
        var byNumber: [Int: String] = [7: "seven"]
    }

    struct Item: Encodable {
        var sku: String
        var quantity: UInt8
    }

    struct Empty: Encodable {}

    enum Status: Encodable {
        case open
        case held(reason: String, until: Int?)
    }

    @Test func nestedValuesAsTheTreeWritesThem() throws {
        let order = Order(id: 7, items: [Item(sku: "a/1", quantity: 2), Item(sku: "b", quantity: 0)])
        let (streamed, tree) = try both(order)
        #expect(streamed == tree)
        #expect(streamed == #"{"id":7,"items":[{"sku":"a/1","quantity":2},{"sku":"b","quantity":0}],"tags":[],"matrix":[[1,null],[],[3]],"extra":{"b":[1,"x",null],"a":2.5},"empty":{},"status":{"held":{"reason":"stock"}},"counts":{"only":1},"byNumber":{"7":"seven"}}"#)
    }

    @Test(arguments: [
        JSON.null, true, 3, -2.5, "text", [], [:], [1, [2, [3]]], ["a": ["b": ["c": nil]]],
    ] as [JSON])
    func topLevelValues(value: JSON) throws {
        #expect(try both(value).streamed == value.text)
        #expect(try both([value, value]).streamed == "[\(value.text),\(value.text)]")
        let optional: JSON? = value
        #expect(try both(optional).streamed == value.text)
    }

    @Test func topLevelPrimitivesAndNothing() throws {
        #expect(try both("a\"b").streamed == #""a\"b""#)
        #expect(try both(12 as UInt16).streamed == "12")
        #expect(try both(Optional<Int>.none).streamed == "null")
        #expect(try both(Empty()) == ("{}", "{}"))
        #expect(try both(WritesNothing()) == ("{}", "{}"))
        #expect(try both([WritesNothing()]) == ("[{}]", "[{}]"))
    }

    struct WritesNothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    /// A subclass and its superclass writing into one object, and into `super`.
    class Animal: Encodable {
        var name = "Rex"
        enum Keys: CodingKey { case name }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(name, forKey: .name)
        }
    }

    final class Dog: Animal, @unchecked Sendable {  // immutable after init; Sendable only to be a test argument
        var good = true
        enum DogKeys: CodingKey { case good }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: DogKeys.self)
            try container.encode(good, forKey: .good)
            try super.encode(to: encoder)
        }
    }

    final class Puppy: Animal {
        enum PuppyKeys: CodingKey { case age }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: PuppyKeys.self)
            try container.encode(1, forKey: .age)
            try super.encode(to: container.superEncoder())
            try container.encode(2, forKey: .age)  // after super: the tree's first place, last value
        }
    }

    @Test func classesShareTheirObject() throws {
        #expect(try both(Dog()) == (#"{"good":true,"name":"Rex"}"#, #"{"good":true,"name":"Rex"}"#))
        #expect(try both([Dog(), Dog()]).streamed == #"[{"good":true,"name":"Rex"},{"good":true,"name":"Rex"}]"#)
        let (streamed, tree) = try both(Puppy())
        #expect(streamed == tree)
        #expect(streamed == #"{"age":2,"super":{"name":"Rex"}}"#)
    }

    /// Encoders used out of order: each gives the tree's text.
    struct Unordered: Encodable {
        enum Shape: CaseIterable {
            case repeatedKey, interleavedContainers, singleValueTwice, keyedThenUnkeyed, staleContainer,
                unusedSuperEncoder, repeatedNestedKey, manyKeysThenRepeat
        }
        var shape: Shape
        enum Keys: String, CodingKey { case a, b, c }

        func encode(to encoder: any Encoder) throws {
            switch shape {
            case .repeatedKey:
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(1, forKey: .a)
                try container.encode(2, forKey: .b)
                try container.encode("again", forKey: .a)
            case .interleavedContainers:
                var container = encoder.container(keyedBy: Keys.self)
                var first = container.nestedUnkeyedContainer(forKey: .a)
                var second = container.nestedContainer(keyedBy: Keys.self, forKey: .b)
                try first.encode(1)
                try second.encode(2, forKey: .c)
                try first.encode(3)
            case .singleValueTwice:
                var container = encoder.singleValueContainer()
                try container.encode(1)
                try container.encode("two")
            case .keyedThenUnkeyed:
                var keyed = encoder.container(keyedBy: Keys.self)
                try keyed.encode(1, forKey: .a)
                var unkeyed = encoder.unkeyedContainer()
                try unkeyed.encode(2)
            case .staleContainer:
                var container = encoder.container(keyedBy: Keys.self)
                var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try container.encode(1, forKey: .b)
                try nested.encode(2, forKey: .c)
            case .unusedSuperEncoder:
                var container = encoder.container(keyedBy: Keys.self)
                _ = container.superEncoder()
                try container.encode(1, forKey: .a)
            case .repeatedNestedKey:
                var container = encoder.container(keyedBy: Keys.self)
                var first = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try first.encode(1, forKey: .b)
                var second = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try second.encode(2, forKey: .c)
            case .manyKeysThenRepeat:
                var container = encoder.container(keyedBy: StringKey.self)
                for index in 0..<40 { try container.encode(index, forKey: StringKey("k\(index)")) }
                try container.encode(-1, forKey: StringKey("k30"))
            }
        }
    }

    @Test(arguments: Unordered.Shape.allCases)
    func unorderedUseGivesTheTreesText(shape: Unordered.Shape) throws {
        let (streamed, tree) = try both(Unordered(shape: shape))
        #expect(streamed == tree)
        let expected: [Unordered.Shape: String] = [
            .repeatedKey: #"{"a":"again","b":2}"#,
            .interleavedContainers: #"{"a":[1,3],"b":{"c":2}}"#,
            .singleValueTwice: #""two""#,
            .keyedThenUnkeyed: "[2]",
            .staleContainer: #"{"a":{"c":2},"b":1}"#,
            .unusedSuperEncoder: #"{"super":{},"a":1}"#,
            .repeatedNestedKey: #"{"a":{"b":1,"c":2}}"#,
        ]
        if let text = expected[shape] { #expect(streamed == text) }
        if shape == .manyKeysThenRepeat { #expect(streamed.contains(#""k29":29,"k30":-1,"k31":31"#)) }
    }

    struct Refuses: Encodable {
        struct Refusal: Error {}
        func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            try container.encode(1)
            throw Refusal()
        }
    }

    @Test func aValuesOwnErrorIsThrown() {
        #expect(throws: Refuses.Refusal.self) { try JSONBytesEncoder.encode([Refuses()]) }
    }

    @Test func aValuesErrorAnswers500() async {
        let client = TestClient(app: App(routes: RouteTable([Route("/t", handlers: ["GET": { _, res in res.status(201).json(Refuses()) }])])))
        let response = await client.request("GET", "/t")
        #expect(response.status == 500)
        #expect(response.text == #"{"error":"Internal server error"}"#)
        #expect(client.log.lines.contains { $0.contains("level=error") && $0.contains("could not encode Refuses") }, "\(client.log.lines)")
    }

    struct CodingPaths: Encodable {
        final class Seen: @unchecked Sendable {  // written by one encoding at a time, read after it
            var paths: [String] = []
        }
        let seen: Seen
        struct Leaf: Encodable {
            let seen: Seen
            func encode(to encoder: any Encoder) throws {
                seen.paths.append(encoder.codingPath.map(\.stringValue).joined(separator: "."))
                var container = encoder.singleValueContainer()
                try container.encode(0)
            }
        }
        struct Branch: Encodable {
            let seen: Seen
            enum Keys: CodingKey { case first, second }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(Leaf(seen: seen), forKey: .first)
                try container.encode([Leaf(seen: seen)], forKey: .second)
            }
        }
        enum Keys: CodingKey { case top, other }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(1, forKey: .top)
            try container.encode(Branch(seen: seen), forKey: .other)
        }
    }

    @Test func codingPathsAsTheTreeGivesThem() throws {
        let streamed = CodingPaths.Seen()
        _ = try JSONBytesEncoder.encode(CodingPaths(seen: streamed))
        let tree = CodingPaths.Seen()
        _ = try JSONValueEncoder.encode(CodingPaths(seen: tree))
        #expect(streamed.paths == ["other.first", "other.second"])
        #expect(streamed.paths == tree.paths)
    }

    /// Random nested values, through `JSON`'s own `encode(to:)` inside a struct, agree.
    @Test func randomValuesAgree() throws {
        var generator = SystemRandomNumberGenerator()
        func random(_ depth: Int) -> JSON {
            switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &generator) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &generator))
            case 2: return .int(Int.random(in: Int.min...Int.max, using: &generator))
            case 3: return .double(Double.random(in: -1e300...1e300, using: &generator))
            case 4: return .string(String((0..<Int.random(in: 0..<8, using: &generator)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0...127, using: &generator))) }))
            case 5: return .array((0..<Int.random(in: 0..<4, using: &generator)).map { _ in random(depth + 1) })
            default: return .object(JSONObject((0..<Int.random(in: 0..<4, using: &generator)).map { ("k\($0)", random(depth + 1)) }))
            }
        }
        struct Wrapper: Encodable {
            var value: JSON
            enum Keys: CodingKey { case value, again }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try value.encode(to: container.superEncoder(forKey: .value))
                var array = container.nestedUnkeyedContainer(forKey: .again)
                try value.encode(to: array.superEncoder())
            }
        }
        for _ in 0..<300 {
            let value = random(0)
            let (streamed, tree) = try both(Wrapper(value: value))
            #expect(streamed == tree)
            #expect(streamed == #"{"value":\#(value.text),"again":[\#(value.text)]}"#)
        }
    }
}
