// Content-Type and its parameters, through req.is and the body parser's choice of parser.
import FuzzSupport
import Nozzle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let (contentType, body) = split(UnsafeBufferPointer(start: start, count: count))
    let req = request(["REQUEST_METHOD": "POST", "SCRIPT_NAME": "/", "CONTENT_TYPE": contentType])
    for type in ["json", "urlencoded", "multipart", "text/*", "+xml", "*/json", "html"] { _ = req.is(type) }
    runBlocking {
        _ = await fuzzApp.call("POST", "/api/small", headers: [("Content-Type", contentType)], body: body, logWriter: DiscardingLogWriter())
    }
    return 0
}
