// X-Forwarded-For behind a trusted proxy, and addresses and ranges as configuration gives them.
import FuzzSupport
import Nozzle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    _ = TrustedProxies([text])
    runBlocking {
        _ = await fuzzApp.call("GET", "/api/echo", headers: [("X-Forwarded-For", text)], logWriter: DiscardingLogWriter())
    }
    return 0
}
