// The typed decoder, from JSON and from forms, into nested types.
import Nozzle

struct Address: Decodable { var street: String; var zip: Int?; var tags: [String]? }
struct Person: Decodable {
    var name: String
    var age: Int8?
    var active: Bool?
    var score: Double?
    var address: Address?
    var emails: [String]?
    var extra: [String: JSON]?
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    if let json = try? JSON(parsing: bytes, limits: JSONLimits(depth: 32, members: 200)) {
        _ = try? RequestBody.json(json).decode(Person.self)
        _ = try? RequestBody.json(json).decode([String: Int].self)
        _ = try? RequestBody.json(json).decode([[UInt16]].self)
    }
    let form = Query(parsing: String(decoding: bytes, as: UTF8.self))
    _ = try? RequestBody.form(form).decode(Person.self)
    return 0
}
