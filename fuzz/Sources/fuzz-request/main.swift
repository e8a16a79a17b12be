// Whole requests through the app in-process: the first line is the method and target, header
// lines follow up to a blank line, and the rest is the body.
import FuzzSupport
import Nozzle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    var lines: [String] = []
    var index = 0
    while index < bytes.count, lines.count < 32 {
        let end = bytes[index...].firstIndex(of: 10) ?? bytes.count
        let line = String(decoding: bytes[index..<end], as: UTF8.self)
        index = end + 1
        if line.isEmpty { break }
        lines.append(line)
    }
    let body = index < bytes.count ? Array(bytes[index...]) : []
    let requestLine = (lines.first ?? "GET /api/echo").split(separator: " ", maxSplits: 1)
    let method = requestLine.first.map(String.init) ?? "GET"
    let target = requestLine.count > 1 ? String(requestLine[1]) : "/"
    let headers = lines.dropFirst().compactMap { line -> (String, String)? in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]), String(line[line.index(after: colon)...]))
    }
    runBlocking {
        let output = await fuzzApp.call(method, target, headers: headers, body: body, logWriter: DiscardingLogWriter())
        guard output.starts(with: Array("Status: ".utf8)) else { fatalError("a response without a status line") }
    }
    return 0
}
