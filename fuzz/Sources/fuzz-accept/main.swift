// The Accept header, through req.accepts.
import FuzzSupport
import Nozzle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let header = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    let req = request(["REQUEST_METHOD": "GET", "SCRIPT_NAME": "/", "HTTP_ACCEPT": header])
    if let chosen = req.accepts("json", "html", "text/plain", "application/*"), !["json", "html", "text/plain", "application/*"].contains(chosen) {
        fatalError("accepts chose a type it was not offered: \(chosen)")
    }
    return 0
}
