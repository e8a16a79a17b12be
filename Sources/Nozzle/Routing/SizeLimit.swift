/// A body size limit, written as in the `bytes` package: `"500kb"`, `"1mb"`, `"1.5MB"`, or a count of bytes.
///
/// Units are case-insensitive and binary: 1kb is 1024 bytes. A malformed limit is caught when the app
/// starts, and the error names the route.
public struct SizeLimit: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// The limit as written, for messages such as `Body exceeded 1mb limit`.
    public let text: String
    /// The limit in bytes, or nil when ``text`` is malformed.
    public let bytes: Int?

    /// A limit from its written form.
    public init(_ text: String) {
        self.text = text
        self.bytes = SizeLimit.parse(text)
    }

    /// A limit of a number of bytes.
    public init(bytes: Int) {
        self.text = "\(bytes)b"
        self.bytes = bytes >= 0 ? bytes : nil
    }

    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(bytes: value) }

    public var description: String { text }

    /// Parses `"<number>[b|kb|mb|gb|tb]"`; nil when malformed.
    static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: " ")
        let lower = trimmed.lowercased()
        let digits = lower.prefix { $0.isNumber || $0 == "." }
        let unit = lower.dropFirst(digits.count).trimmingCharacters(in: " ")
        guard !digits.isEmpty, let number = Double(digits), number >= 0 else { return nil }
        let multiplier: Double
        switch unit {
        case "", "b": multiplier = 1
        case "kb": multiplier = 1024
        case "mb": multiplier = 1024 * 1024
        case "gb": multiplier = 1024 * 1024 * 1024
        case "tb": multiplier = 1024 * 1024 * 1024 * 1024
        default: return nil
        }
        let value = (number * multiplier).rounded(.down)
        guard value < Double(Int.max) else { return nil }
        return Int(value)
    }
}

extension StringProtocol {
    /// The text without the given character at either end; spaces in headers, mostly.
    package func trimmingCharacters(in character: Character) -> String {
        guard let ascii = character.asciiValue else { return String(self) }
        let text = Substring(self)
        var start = text.utf8.startIndex
        var end = text.utf8.endIndex
        while start < end && text.utf8[start] == ascii { start = text.utf8.index(after: start) }
        while end > start && text.utf8[text.utf8.index(before: end)] == ascii { end = text.utf8.index(before: end) }
        return String(text.utf8[start..<end])!
    }
}
