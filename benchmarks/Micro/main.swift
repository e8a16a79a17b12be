// Micro-benchmarks of the core, without sockets: `swift run -c release nozzle-micro-benchmarks`.
//
// Each benchmark runs in batches and reports the median time per operation across batches, so one
// noisy batch on a shared machine does not move the figure.
import Nozzle

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

print("| benchmark | median per operation |")
print("|---|---|")
for (name, nanoseconds) in results {
    print("| \(name) | \(nanoseconds < 10_000 ? "\(Int(nanoseconds.rounded())) ns" : "\(Int((nanoseconds / 1000).rounded())) µs") |")
}
