// FastCGI records as a web server (or anyone who reaches the socket) sends them, cut into reads at
// the places the first byte picks; the response to a running request is finished as it would be.
@_spi(Fuzzing) import NozzleFastCGI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let piece = Int(bytes[0]) + 1
    var state = FastCGIConnectionState(limits: .init(maxConnections: 100, maxRequests: 100, paramsBytes: 4096))
    var offset = 1
    while offset < count {
        let end = min(count, offset + piece)
        for action in state.receive(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[offset..<end]))) {
            switch action {
            case .start(let head):
                guard head.id != 0 else { fatalError("a request with the management id 0") }
                _ = head.params["REQUEST_METHOD"]
            case .fail:
                return 0
            default:
                break
            }
        }
        if state.isRunning, bytes[offset] & 1 == 0 { _ = state.finishRequest() }
        offset = end
    }
    _ = state.peerClosed()
    return 0
}
