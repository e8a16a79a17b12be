// JSON text: the parser with its limits, then the serializer on what it parsed.
import Nozzle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    if let value = try? JSON(parsing: bytes, limits: JSONLimits(depth: 64, members: 1000)) {
        // What was parsed serializes to valid JSON that serializes the same way again (numbers out
        // of Double's range parse as infinity and are written as null, as JavaScript does).
        guard let again = try? JSON(parsing: value.bytes), again.bytes == value.bytes else { fatalError("JSON did not round-trip: \(value.text)") }
    }
    return 0
}
