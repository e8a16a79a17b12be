// Size limits as written in route configs: "500kb", "1.5MB", byte counts.
import Nozzle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    if let bytes = SizeLimit(text).bytes, bytes < 0 { fatalError("a negative limit from \(text)") }
    return 0
}
