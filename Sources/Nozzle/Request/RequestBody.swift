/// A request body after the body parser has read it.
public enum RequestBody: Sendable {
    /// No body was parsed: the parser is off, or it has not run yet.
    case none
    /// `application/json` or `*+json`.
    case json(JSON)
    /// `text/*`, decoded with its charset.
    case text(String)
    /// `application/x-www-form-urlencoded`.
    case form(Query)
    /// Anything else, as bytes.
    case bytes([UInt8])

    /// The JSON value, when the body was JSON.
    public var json: JSON? {
        if case .json(let value) = self { return value }
        return nil
    }

    /// The text, when the body was text.
    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }
}
