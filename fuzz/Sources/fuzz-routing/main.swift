// Paths against a table with every kind of segment, encoded and decoded.
import Nozzle

let table = RouteTable([
    "/api/hello", "/api/post/create", "/api/post/[pid]", "/api/post/[pid]/comments/[cid]", "/api/post/[...slug]",
    "/api/optional/[[...slug]]", "/api/users/index", "/api/[a]/[b]/[c]/[d]", "/api/a/b/c/[d]",
].map { Route($0, handlers: ["GET": { _, _ in }]) })

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let path = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    for strict in [false, true] {
        if let match = table.match(path, strictTrailingSlash: strict) {
            for (name, _) in match.params where name.isEmpty { fatalError("a param with no name") }
        }
        _ = table.match(path, strictTrailingSlash: strict, percentEncoded: false)
    }
    return 0
}
