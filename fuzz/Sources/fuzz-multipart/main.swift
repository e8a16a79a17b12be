// multipart/form-data bodies; the first line of the input is the boundary.
@_spi(Fuzzing) import Nozzle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let newline = bytes.firstIndex(of: 10) ?? min(count, 8)
    let boundary = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = Array(bytes[min(count, newline + 1)...])
    if let form = try? MultipartParser.parse(body, boundary: boundary, partLimit: 50, headerSizeLimit: 256) {
        guard form.fields.count + form.files.count <= 50 else { fatalError("partLimit not kept") }
        _ = form.json
    }
    return 0
}
