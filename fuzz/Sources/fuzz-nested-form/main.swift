// Bracketed keys, as qs reads them: a form body to an extended route, and the same text as the query
// of an app whose query parser is extended.
import FuzzSupport
import Nozzle

let app: App = {
    let echo: Handler = { req, res in res.json(["body": req.body.jsonRepresentation, "query": req.query.json]) }
    var app = App(routes: RouteTable([
        Route("/nested", config: RouteConfig(bodyParser: BodyParserConfig(parameterLimit: 200, extended: true, depth: 8)), handlers: ["*": echo])
    ]))
    app.queryParser = .extended()
    return app
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    let query = String(decoding: bytes.filter { $0 != UInt8(ascii: "#") && $0 > 0x20 }, as: UTF8.self)
    runBlocking {
        _ = await app.call("POST", "/nested?" + query, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: bytes, logWriter: DiscardingLogWriter())
    }
    return 0
}
