// Micro-benchmarks of the core, without sockets: `swift run -c release nozzle-micro-benchmarks`.
//
// Each benchmark runs in batches and reports the median time per operation across batches, so one
// noisy batch on a shared machine does not move the figure.
@_spi(Fuzzing) import Nozzle
import NozzleTesting

#if canImport(Glibc)
import Glibc
#endif

func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Runs `body` in `batches` batches of `perBatch` operations; returns the median nanoseconds per operation.
func measure(batches: Int = 31, perBatch: Int, _ body: (Int) -> Void) -> Double {
    var samples: [Double] = []
    for batch in 0...batches {
        let start = now()
        for index in 0..<perBatch { body(index) }
        let elapsed = Double(now() - start) / Double(perBatch)
        if batch > 0 { samples.append(elapsed) }  // the first batch warms caches
    }
    samples.sort()
    return samples[samples.count / 2]
}

/// ``measure(batches:perBatch:_:)`` for work that awaits. It runs in a task of its own, off the
/// main actor, as the host runs requests: otherwise each call would hop between threads and back,
/// and that hop, not the work, would be measured.
func measureAsync(batches: Int = 31, perBatch: Int, _ body: @escaping @Sendable (Int) async -> Void) async -> Double {
    await Task.detached {
        var samples: [Double] = []
        for batch in 0...batches {
            let start = now()
            for index in 0..<perBatch { await body(index) }
            let elapsed = Double(now() - start) / Double(perBatch)
            if batch > 0 { samples.append(elapsed) }
        }
        samples.sort()
        return samples[samples.count / 2]
    }.value
}

@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

/// 1,000 routes shaped like a real API: resources with ids, nested resources, and catch-alls.
func thousandRoutes() -> (RouteTable, [String]) {
    var routes: [Route] = []
    var paths: [String] = []
    let handler: Handler = { _, _ in }
    var resource = 0
    while routes.count < 1000 {
        let name = "resource\(resource)"
        routes.append(Route("/api/\(name)", handlers: ["GET": handler]))
        routes.append(Route("/api/\(name)/[id]", handlers: ["GET": handler]))
        routes.append(Route("/api/\(name)/[id]/items", handlers: ["GET": handler]))
        routes.append(Route("/api/\(name)/[id]/items/[itemId]", handlers: ["GET": handler]))
        routes.append(Route("/api/\(name)/search", handlers: ["GET": handler]))
        routes.append(Route("/api/\(name)/files/[...path]", handlers: ["GET": handler]))
        paths += [
            "/api/\(name)", "/api/\(name)/42", "/api/\(name)/42/items", "/api/\(name)/42/items/7",
            "/api/\(name)/search", "/api/\(name)/files/a/b/c.txt",
        ]
        resource += 1
    }
    return (RouteTable(Array(routes.prefix(1000))), paths)
}

// The worst bodies we know, about 1 MB each, through the app in-process: with the default limits,
// and with every count limit lifted so the parser takes the whole body. One run each: they are
// milliseconds, not nanoseconds. `--write-hostile-bodies DIR` writes them out instead, for
// benchmarks/run.sh to send through nginx: NAME.body, and NAME.type with its Content-Type.
let lifted = RouteConfig(bodyParser: BodyParserConfig(parameterLimit: .max, jsonMemberLimit: .max, partLimit: .max))
let echo: Handler = { req, res in res.json(["type": .string(req.body.kind), "body": req.body.jsonRepresentation]) }
let decode: Handler = { req, res in res.json(["count": .int(try req.body.decode([String: Int].self).count)]) }
let hostileApp = App(routes: RouteTable([
    Route("/echo", handlers: ["POST": echo]),
    Route("/unlimited", config: lifted, handlers: ["POST": echo]),
    Route("/decode", handlers: ["POST": decode]),
    Route("/decode-whole", config: lifted, handlers: ["POST": decode]),
]))
let sameName = HostileInput.manyMultipartParts(bytes: 795_000)
let wide = HostileInput.wideJSONObject(bytes: 989_000)
let hostileCases: [(String, String, String, [UInt8])] = [
    ("form k=1& × 200,000 (800 KB)", "/unlimited", "application/x-www-form-urlencoded", HostileInput.repeatedFormKey(bytes: 800_000)),
    ("form of 100,000 distinct keys (889 KB)", "/unlimited", "application/x-www-form-urlencoded", HostileInput.distinctFormKeys(bytes: 889_000)),
    ("form of bare keys k&k&… (1 MB)", "/unlimited", "application/x-www-form-urlencoded", HostileInput.bareFormKeys(bytes: 1_000_000)),
    ("JSON object of \(wide.members) distinct keys (989 KB)", "/unlimited", "application/json", wide.body),
    ("the same, decoded into [String: Int]", "/decode-whole", "application/json", wide.body),
    ("JSON object of objects cut at 1 MB (400)", "/unlimited", "application/json", HostileInput.truncatedObjectOfObjects(bytes: 1_000_000)),
    ("multipart, \(sameName.parts) parts named k (795 KB)", "/unlimited", "multipart/form-data; boundary=\(sameName.boundary)", sameName.body),
    ("multipart boundary near-misses (1 MB)", "/echo", "multipart/form-data; boundary=hostileboundary", HostileInput.multipartNearMisses(bytes: 1_000_000).body),
]
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--write-hostile-bodies" {
    let directory = CommandLine.arguments[2]
    for (index, (name, route, contentType, body)) in hostileCases.enumerated() where route != "/decode-whole" {
        let base = "\(directory)/\(index)"
        for (path, bytes) in [(base + ".body", body), (base + ".type", Array(contentType.utf8)), (base + ".name", Array(name.utf8))] {
            guard let file = fopen(path, "w") else { fatalError("cannot write \(path)") }
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
        }
    }
    exit(0)
}

let (table, paths) = thousandRoutes()
var results: [(String, Double)] = []

results.append(("route match, 1,000 routes", measure(perBatch: 200_000) { index in
    blackHole(table.match(paths[index % paths.count]))
}))

let body = Array(#"{"name":"Ada Lovelace","email":"ada@example.com","tags":["math","engines"],"age":36,"active":true,"bio":"\#(String(repeating: "x", count: 600))"}"#.utf8)
results.append(("JSON parse, 700-byte body", measure(perBatch: 20_000) { _ in
    blackHole(try? JSON(parsing: body))
}))
let parsed = try! JSON(parsing: body)
results.append(("JSON encode, 700-byte body", measure(perBatch: 20_000) { _ in
    blackHole(parsed.bytes)
}))

// `res.json(user)`: a Codable struct written straight to text, and through a tree of JSON values
// (what it did before, and what it still does for a type that encodes out of order).
struct BenchUser: Encodable {
    var id: Int64
    var name: String
    var email: String
    var createdAt: String
}
let user = BenchUser(id: 4_812, name: "Ada Lovelace", email: "ada@example.com", createdAt: "2026-12-06T08:00:00Z")
results.append(("Codable encode, a user (4 fields), one pass", measure(perBatch: 50_000) { _ in
    blackHole(try? JSONBytesEncoder.encode(user))
}))
results.append(("Codable encode, a user (4 fields), through a tree", measure(perBatch: 50_000) { _ in
    blackHole(try? JSONValueEncoder.encode(user).bytes)
}))
let users = (0..<100).map { BenchUser(id: Int64($0), name: "User \($0)", email: "user\($0)@example.com", createdAt: user.createdAt) }
results.append(("Codable encode, 100 users, one pass", measure(perBatch: 500) { _ in
    blackHole(try? JSONBytesEncoder.encode(users, capacity: 8_192))
}))
results.append(("Codable encode, 100 users, through a tree", measure(perBatch: 500) { _ in
    blackHole(try? JSONValueEncoder.encode(users).bytes)
}))

// The entity tag's SHA-1 over the same body: the Swift block function, and the x86 SHA extensions
// where the processor has them.
results.append(("SHA-1 of a 700-byte body, Swift block function", measure(perBatch: 20_000) { _ in
    blackHole(SHA1.digest(body, accelerated: false))
}))
if SHA1.accelerated {
    results.append(("SHA-1 of a 700-byte body, SHA extensions", measure(perBatch: 20_000) { _ in
        blackHole(SHA1.digest(body, accelerated: true))
    }))
}

let form = "name=Ada+Lovelace&email=ada%40example.com&tag=math&tag=engines&bio=" + String(repeating: "x", count: 600)
results.append(("form parse, 700-byte body", measure(perBatch: 20_000) { _ in
    blackHole(Query(parsing: form))
}))

let file = [UInt8](repeating: UInt8(ascii: "z"), count: 1 << 20)
let multipart = Array("--BOUNDARY\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAda\r\n--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
    + file + Array("\r\n--BOUNDARY--\r\n".utf8)
let multipartTime = measure(batches: 11, perBatch: 5) { _ in
    blackHole(try? MultipartParser.parse(multipart, boundary: "BOUNDARY"))
}
results.append(("multipart parse, 1 MiB file", multipartTime))

results.append(("response header block, 4 fields", measure(perBatch: 50_000) { _ in
    let sink = BufferedResponseSink()
    let response = Response(sink: sink, log: RequestLog(method: "GET", path: "/", requestID: "1", writer: MemoryLogWriter()))
    response.status(201).setHeader("Cache-Control", "max-age=60").appendHeader("Set-Cookie", "a=1").appendHeader("Set-Cookie", "b=2")
    response.json(["id": 3])
    blackHole(sink.bytes)
}))

// A whole request in-process (the pipeline, routing, the handler, the response), without a
// tracer, and with one that records each request's server span: what tracing costs a request.
let helloRoutes = RouteTable([Route("/api/hello", handlers: ["GET": { _, res in res.json(["message": "Hello, World!"]) }])])
let untracedApp = App(routes: helloRoutes)
#if Tracing
let tracedApp = {
    var app = App(routes: helloRoutes)
    app.tracer = RecordingTracer()
    return app
}()
#endif
let quietLog = MemoryLogWriter()
results.append(("GET through the pipeline, no tracer", await measureAsync(perBatch: 20_000) { _ in
    blackHole(await untracedApp.call("GET", "/api/hello", logWriter: quietLog))
}))
#if Tracing
results.append(("GET through the pipeline, a tracer recording its span", await measureAsync(perBatch: 20_000) { _ in
    blackHole(await tracedApp.call("GET", "/api/hello", logWriter: quietLog))
}))
#endif

var hostileRows: [String] = []
for (name, route, contentType, body) in hostileCases {
    var timings: [String] = []
    for target in [route == "/decode-whole" ? "/decode" : "/echo", route] {
        let start = now()
        let output = await hostileApp.call("POST", target, headers: [("Content-Type", contentType)], body: body, logWriter: MemoryLogWriter())
        let milliseconds = Double(now() - start) / 1e6
        let status = String(decoding: output.prefix(11).dropFirst(8), as: UTF8.self)
        timings.append("\(status) in \(String(Int(milliseconds.rounded()))) ms")
    }
    hostileRows.append("| \(name) | \(timings[0]) | \(timings[1]) |")
}

print("| benchmark | median per operation |")
print("|---|---|")
for (name, nanoseconds) in results {
    print("| \(name) | \(nanoseconds < 10_000 ? "\(Int(nanoseconds.rounded())) ns" : "\(Int((nanoseconds / 1000).rounded())) µs") |")
}
print()
print("Worst-case bodies in-process (one request each; \"default\" has the default limits, \"whole\" lifts them):")
print()
print("| body | default limits | parsed whole |")
print("|---|---|---|")
for row in hostileRows { print(row) }
