import Foundation
import Nozzle

/// An HTTP response as curl received it.
struct HTTPResult {
    var status: Int
    /// The status line's reason phrase (HTTP/1.1).
    var reason = ""
    var headers: Headers
    var body: String
    var timeToFirstByte: Double
    var totalTime: Double
    var json: JSON? { try? JSON(parsing: body) }
}

/// Real HTTP requests, made with curl: on this machine, or on a host of a ``VirtualNetwork``.
enum HTTP {
    static func request(_ method: String = "GET", _ url: String, headers: [String] = [], body: String? = nil, bodyFile: URL? = nil, chunked: Bool = false, extra: [String] = [], from host: NetworkNamespace? = nil, in directory: URL) throws -> HTTPResult {
        let headerFile = directory.appending(path: "headers-\(UUID().uuidString.prefix(6))")
        let outputFile = directory.appending(path: "body-\(UUID().uuidString.prefix(6))")
        var arguments = ["-s", "--http1.1", "-X", method, "-D", headerFile.path, "-o", outputFile.path, "-w", "%{time_starttransfer} %{time_total}", "--max-time", "30"]
        if method == "HEAD" { arguments = ["-s", "--http1.1", "-I", "-D", headerFile.path, "-o", outputFile.path, "-w", "%{time_starttransfer} %{time_total}"] }
        for header in headers { arguments += ["-H", header] }
        var input: [UInt8] = []
        if let body {
            arguments += ["--data-binary", "@-"]
            input = Array(body.utf8)
        }
        if let bodyFile { arguments += ["--data-binary", "@\(bodyFile.path)"] }
        if chunked { arguments += ["-H", "Transfer-Encoding: chunked"] }
        arguments += extra
        arguments.append(url)
        let result = try host.map { try RunningProcess.run("/usr/bin/env", $0.prefix + ["curl"] + arguments, input: input, in: directory, timeout: 35) }
            ?? RunningProcess.run("/usr/bin/curl", arguments, input: input, in: directory, timeout: 35)
        let head = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        // Interim responses (100 Continue) come first; the final header block is the last one.
        let finalBlock = head.components(separatedBy: "\r\n\r\n").last { !$0.isEmpty } ?? ""
        var lines = finalBlock.components(separatedBy: "\r\n")
        let statusLine = lines.isEmpty ? "" : lines.removeFirst()
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        var parsed = Headers()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            parsed.add(String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
        }
        let times = result.stdout.split(separator: " ").compactMap { Double($0) }
        return HTTPResult(
            status: status,
            reason: statusLine.split(separator: " ", maxSplits: 2).dropFirst(2).first.map(String.init) ?? "",
            headers: parsed,
            // curl -I stops after the header block, so a HEAD response has no body to read.
            body: method == "HEAD" ? "" : (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
            timeToFirstByte: times.first ?? 0,
            totalTime: times.last ?? 0
        )
    }
}
