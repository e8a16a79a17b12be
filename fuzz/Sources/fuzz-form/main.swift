// URL-encoded forms and query strings, with and without a parameter limit.
import Nozzle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    let query = Query(parsing: text)
    _ = query.json
    if let limited = try? Query(parsing: text, parameterLimit: 10) {
        guard limited.count <= 10, limited.count == query.count else { fatalError("parameterLimit not kept") }
    }
    return 0
}
