// The hello example's `GET /api/hello`, with a tracer that records every request's server span (a
// `RecordingTracer`, which keeps the last 1,024 as an SDK's export queue would), or with none when
// `TRACER=off`: `benchmarks/run.sh` measures both beside the example, to show what tracing costs a
// request, and that an app without a tracer pays nothing for it.
import NozzleFastCGI
import NozzleTesting
#if canImport(Glibc)
import Glibc
#endif

var app = App(routes: RouteTable([Route("/api/hello", handlers: ["GET": { _, res in res.json(["message": "Hello, World!"]) }])]))
#if Tracing
if getenv("TRACER").map({ String(cString: $0) }) != "off" { app.tracer = RecordingTracer() }
#else
if getenv("TRACER").map({ String(cString: $0) }) != "off" { fatalError("build with --traits Tracing to trace") }
#endif
app.main()
