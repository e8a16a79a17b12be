/// A build error in the `api/` folder, naming the file or files it concerns.
public struct RouteDiagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    /// The route files concerned, relative to the target: `api/users/[id].swift`.
    public var files: [String]
    /// What is wrong.
    public var message: String
    /// The line of the one file concerned that the error is about, when it is about one.
    public var line: Int?

    public init(files: [String], message: String, line: Int? = nil) {
        self.files = files
        self.message = message
        self.line = line
    }

    public var description: String { "\(files.joined(separator: ", "))\(line.map { ":\($0)" } ?? ""): \(message)" }
}
