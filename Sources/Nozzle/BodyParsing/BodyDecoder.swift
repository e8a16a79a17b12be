extension RequestBody {
    /// Decodes the body into a `Decodable` type, as the seeds use zod for.
    ///
    /// ```swift
    /// struct CreateUser: Decodable { var name: String; var email: String; var age: Int? }
    /// let user = try req.body.decode(CreateUser.self)
    /// ```
    ///
    /// A JSON body decodes as it is. A form's fields are strings, so they also decode into numbers and
    /// booleans. A ``Validatable`` type's rules are checked first, all of them.
    ///
    /// - Throws: ``HTTPError`` 400 `{"error":"Invalid request body","field":"address.zip","reason":"…"}`,
    ///   naming the field and why it failed; for a ``Validatable`` type, `issues` lists every rule broken.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value: JSON
        var lenient = false
        switch self {
        case .json(let json): value = json
        case .form(let query):
            value = query.json
            lenient = true
        case .nestedForm(let fields):
            value = fields
            lenient = true
        case .multipart(let form):
            value = form.fields.json
            lenient = true
        case .none:
            throw HTTPError(400, body: ["error": "Invalid request body", "reason": "the body is empty"])
        case .text, .bytes:
            throw HTTPError(400, body: ["error": "Invalid request body", "reason": "expected JSON or a form, not \(kind)"])
        }
        return try Self.decode(type, from: value, lenient: lenient, what: "Invalid request body")
    }

    /// Checks a ``Validatable`` type's rules, then decodes.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSON, lenient: Bool, what: String) throws -> T {
        if let validatable = type as? any Validatable.Type {
            var failure = ValidationFailure()
            validatable.rules.validate(value, lenient: lenient, failure: &failure)
            if failure.count > 0 { throw failure.error(what) }
        }
        do {
            return try T(from: JSONValueDecoder(value: value, codingPath: [], lenient: lenient))
        } catch let error as DecodingError {
            var body = DecodingProblem(error).json
            if case .object(var object) = body {
                object["error"] = .string(what)
                body = .object(object)
            }
            throw HTTPError(400, body: body)
        }
    }
}

/// A decoding failure as a client should read it.
struct DecodingProblem {
    var field: String
    var reason: String

    init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            field = DecodingProblem.path(context.codingPath + [key])
            reason = "is required"
        case .valueNotFound(_, let context):
            field = DecodingProblem.path(context.codingPath)
            reason = "must not be null"
        case .typeMismatch(let type, let context):
            field = DecodingProblem.path(context.codingPath)
            reason = "expected \(DecodingProblem.name(type))"
        case .dataCorrupted(let context):
            field = DecodingProblem.path(context.codingPath)
            reason = context.debugDescription
        @unknown default:
            field = ""
            reason = "\(error)"
        }
    }

    var json: JSON { ["error": "Invalid request body", "field": .string(field), "reason": .string(reason)] }

    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    static func name(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type,
            is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        default:
            String(describing: type).hasPrefix("Dictionary") || String(describing: type).hasPrefix("KeyedDecodingContainer") ? "an object" : "\(type)"
        }
    }
}

/// A `Decoder` over a ``JSON`` value.
struct JSONValueDecoder: Decoder {
    let value: JSON
    let codingPath: [any CodingKey]
    let lenient: Bool
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath, debugDescription: "expected an object"))
        }
        return KeyedDecodingContainer(KeyedJSONContainer(object: object, codingPath: codingPath, lenient: lenient))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let elements): return UnkeyedJSONContainer(elements: elements, codingPath: codingPath, lenient: lenient)
        case .string(let text) where lenient: return UnkeyedJSONContainer(elements: [.string(text)], codingPath: codingPath, lenient: lenient)
        default: throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "expected an array"))
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
}

extension JSONValueDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value == .null }

    func mismatch<T>(_ type: T.Type) -> DecodingError {
        if value == .null { return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "null")) }
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(DecodingProblem.name(type))"))
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        if case .bool(let flag) = value { return flag }
        if lenient, case .string(let text) = value {
            if ["true", "on", "1", "yes"].contains(text.lowercased()) { return true }
            if ["false", "off", "0", "no", ""].contains(text.lowercased()) { return false }
        }
        throw mismatch(type)
    }

    func decode(_ type: String.Type) throws -> String {
        if case .string(let text) = value { return text }
        throw mismatch(type)
    }

    func decode(_ type: Double.Type) throws -> Double {
        if let number = value.doubleValue { return number }
        if lenient, case .string(let text) = value, let number = Double(text) { return number }
        throw mismatch(type)
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        var number = value.intValue
        if number == nil, lenient, case .string(let text) = value { number = Int(text) }
        guard let number else { throw mismatch(type) }
        guard let exact = T(exactly: number) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(number) does not fit in \(T.self)"))
        }
        return exact
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if type == JSON.self { return value as! T }
        return try T(from: self)
    }
}

struct KeyedJSONContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [any CodingKey]
    let lenient: Bool

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    func child(_ key: Key) throws -> JSONValueDecoder {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return JSONValueDecoder(value: value, codingPath: codingPath + [key], lenient: lenient)
    }

    func decodeNil(forKey key: Key) throws -> Bool { (object[key.stringValue] ?? .null) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(type) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = object[key.stringValue], value != .null else { return nil }
        // An empty form field means "not given" for anything but a string.
        if lenient, value == .string(""), type != String.self { return nil }
        return try JSONValueDecoder(value: value, codingPath: codingPath + [key], lenient: lenient).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }

    func superDecoder() throws -> any Decoder {
        JSONValueDecoder(value: object["super"] ?? .null, codingPath: codingPath, lenient: lenient)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

struct UnkeyedJSONContainer: UnkeyedDecodingContainer {
    struct Index: CodingKey {
        var intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    let elements: [JSON]
    let codingPath: [any CodingKey]
    let lenient: Bool
    var currentIndex = 0

    init(elements: [JSON], codingPath: [any CodingKey], lenient: Bool) {
        self.elements = elements
        self.codingPath = codingPath
        self.lenient = lenient
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    mutating func next() throws -> JSONValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath + [Index(currentIndex)], debugDescription: "the array has no more elements"))
        }
        defer { currentIndex += 1 }
        return JSONValueDecoder(value: elements[currentIndex], codingPath: codingPath + [Index(currentIndex)], lenient: lenient)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

extension JSON: Decodable {
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? JSONValueDecoder {
            self = decoder.value
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Int.self) { self = .int(number) }
        else if let number = try? container.decode(Double.self) { self = .double(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let array = try? container.decode([JSON].self) { self = .array(array) }
        else { self = .object(JSONObject(try container.decode([String: JSON].self).sorted { $0.key < $1.key }.map { ($0.key, $0.value) })) }
    }
}

extension JSON: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .int(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .double(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .string(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .object(let object):
            var container = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in object { try container.encode(value, forKey: AnyKey(key)) }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ key: String) { stringValue = key }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
