// Bodies sent with Content-Encoding, to a route with a small limit: the first byte picks the
// encoding and the content type, the rest is the body.
import FuzzSupport
import Nozzle

let encodings = ["gzip", "deflate", "br", "identity", "x-unknown"]
let types = ["application/json", "application/x-www-form-urlencoded", "text/plain; charset=utf-16", "application/octet-stream"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let selector = Int(start[0])
    let body = Array(UnsafeBufferPointer(start: start + 1, count: count - 1))
    let headers = [("Content-Encoding", encodings[selector % encodings.count]), ("Content-Type", types[(selector / 8) % types.count])]
    runBlocking {
        let output = await fuzzApp.call("POST", "/api/small", headers: headers, body: body, logWriter: DiscardingLogWriter())
        // Never more than the limit held: a 413 is fine, an answer bigger than the limit plus JSON's overhead is not.
        guard output.count < 64 * 1024 * 8 else { fatalError("a 64kb route answered \(output.count) bytes") }
    }
    return 0
}
