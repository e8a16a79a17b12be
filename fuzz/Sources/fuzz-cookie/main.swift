// The Cookie header.
import FuzzSupport
import Nozzle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let header = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    let req = request(["REQUEST_METHOD": "GET", "SCRIPT_NAME": "/", "HTTP_COOKIE": header])
    for (name, _) in req.cookies where name.isEmpty { fatalError("a cookie with no name") }
    return 0
}
