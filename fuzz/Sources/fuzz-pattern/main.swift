// A validation pattern and a text: the pattern up to the first NUL byte, the text after it. A
// pattern that compiles is matched twice (the second time from the DFA's cached states), and both
// answers must agree; one that does not compile must say why.
import FuzzSupport
import Nozzle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
    let source = String(decoding: bytes[..<split], as: UTF8.self)
    let text = String(decoding: bytes[min(split + 1, bytes.endIndex)...], as: UTF8.self)
    do {
        let pattern = try Pattern(source)
        if pattern.matches(text) != pattern.matches(text) { fatalError("two answers for one text") }
    } catch {
        if error.reason.isEmpty { fatalError("a refusal with no reason") }
    }
    return 0
}
