/// A build error in the `api/` folder, naming the file or files it concerns.
public struct RouteDiagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    /// The route files concerned, relative to the target: `api/users/[id].swift`.
    public var files: [String]
    /// What is wrong.
    public var message: String

    public init(files: [String], message: String) {
        self.files = files
        self.message = message
    }

    public var description: String { "\(files.joined(separator: ", ")): \(message)" }
}
