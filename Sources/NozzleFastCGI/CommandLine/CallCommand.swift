import Synchronization
import Nozzle

/// `app call METHOD PATH [-H 'Name: value']... [-d BODY | -d @FILE]`: one request through the app,
/// in-process, printed as an HTTP response. Exits 1 for a 5xx answer, 2 for bad arguments.
enum CallCommand {
    static func run(app: App, arguments: ArraySlice<String>) -> Int32 {
        var rest = arguments
        guard let method = rest.popFirst(), let target = rest.popFirst(), target.hasPrefix("/") else {
            System.writeStderr("usage: \(System.programName) call METHOD PATH [-H 'Name: value']... [-d BODY | -d @FILE]")
            return 2
        }
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        while let option = rest.popFirst() {
            guard let value = rest.popFirst(), option == "-H" || option == "-d" else {
                System.writeStderr("\(System.programName) call: unexpected '\(option)'; use -H 'Name: value' or -d BODY")
                return 2
            }
            if option == "-H" {
                guard let colon = value.firstIndex(of: ":") else {
                    System.writeStderr("\(System.programName) call: a header is written 'Name: value', not '\(value)'")
                    return 2
                }
                headers.append((String(value[..<colon]), value[value.index(after: colon)...].trimmingCharacters(in: " ")))
            } else if value.hasPrefix("@") {
                guard let bytes = readFile(String(value.dropFirst())) else {
                    System.writeStderr("\(System.programName) call: cannot read \(value.dropFirst())")
                    return 2
                }
                body = bytes
            } else {
                body = Array(value.utf8)
            }
        }
        let result = Output()
        CurrentThreadExecutor.run {
            let bytes = await app.call(method, target, headers: headers, body: body, logWriter: StderrLogWriter())
            result.bytes.withLock { $0 = bytes }
        }
        let (text, status) = httpResponse(fromCGI: result.bytes.withLock { $0 })
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        // What `res.after` handed over runs to its end before the command does.
        if app.afterResponse.pending > 0 {
            fflush(nil)
            CurrentThreadExecutor.run { await app.afterResponse.idle() }
        }
        return status >= 500 ? 1 : 0
    }


    /// What the request's task hands back to the command.
    final class Output: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }

    /// The CGI output as an HTTP response: `Status: 201 Created` becomes the status line.
    static func httpResponse(fromCGI bytes: [UInt8]) -> (text: String, status: Int) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: "\r\n\r\n", maxSplits: 1, omittingEmptySubsequences: false)
        var lines = parts.first.map { $0.split(separator: "\r\n").map(String.init) } ?? []
        var statusLine = "HTTP/1.1 200 OK"
        var status = 200
        if let index = lines.firstIndex(where: { $0.lowercased().hasPrefix("status:") }) {
            let value = lines.remove(at: index).dropFirst("Status:".count).trimmingCharacters(in: " ")
            statusLine = "HTTP/1.1 \(value)"
            status = Int(value.prefix(3)) ?? 200
        }
        let body = parts.count > 1 ? String(parts[1]) : ""
        return (([statusLine] + lines).joined(separator: "\n") + "\n\n" + body, status)
    }

    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }
}

#if canImport(Glibc)
import Glibc
#endif
