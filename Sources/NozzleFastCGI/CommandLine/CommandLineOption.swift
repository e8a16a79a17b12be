/// Options an app adds to its own command line, beside Nozzle's.
public enum CommandLineOption {
    /// Removes `--name VALUE` or `--name=VALUE` from `arguments` and returns the value; nil when the
    /// option is absent. With the option repeated, the last value wins, and every copy is removed.
    ///
    /// ```swift
    /// var arguments = Array(CommandLine.arguments.dropFirst())
    /// let path = CommandLineOption.take("--database", from: &arguments) ?? "users.sqlite"
    /// ```
    public static func take(_ name: String, from arguments: inout [String]) -> String? {
        var value: String?
        var remaining: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == name, index + 1 < arguments.endIndex {
                value = arguments[index + 1]
                index += 2
                continue
            }
            if argument.hasPrefix(name + "=") {
                value = String(argument.dropFirst(name.count + 1))
            } else {
                remaining.append(argument)
            }
            index += 1
        }
        arguments = remaining
        return value
    }
}
