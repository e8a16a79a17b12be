import Foundation

/// The deployment guide's shipped files, and the fixture app on a socket a front server can reach.
enum ShippedConfig {
    /// A shipped file with its example paths replaced by a test's.
    static func text(_ path: String, replacing replacements: [String: String]) throws -> String {
        var text = try String(contentsOf: Paths.root.appending(path: path), encoding: .utf8)
        for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
        return text
    }

    /// The fixture app on a unix socket the web server's user can reach.
    static func appOnSocket(in directory: URL) throws -> (RunningProcess, String) {
        let socket = directory.appending(path: "app.sock").path
        let app = try RunningProcess(Paths.binary("fixture-app"), ["--listen", "unix:\(socket)", "--socket-mode", "0666"], in: directory)
        guard eventually({ FileManager.default.fileExists(atPath: socket) }) else { throw SetupError(what: "no socket: \(app.stderr)") }
        return (app, socket)
    }

    /// The inodes of the sockets a process holds open: its listening socket and its connections.
    /// A connection the web server kept keeps its inode; one closed and opened again gets a new one.
    static func socketInodes(of pid: Int32) -> Set<String> {
        let directory = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return Set(entries.compactMap { entry in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(entry)"), target.hasPrefix("socket:") else { return nil }
            return target
        })
    }
}
