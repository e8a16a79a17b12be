import Foundation
import NozzleFastCGI
import OTel
import ServiceLifecycle

/// Traces and metrics over OTLP/HTTP with swift-otel, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set
/// (`http://127.0.0.1:4318`, an OpenTelemetry Collector's or Jaeger's OTLP/HTTP port).
///
/// swift-otel becomes the tracer and the metrics backend. Nozzle then starts a server span for every
/// request (continuing the caller's `traceparent`), each query is a client span beneath it
/// (``PostgresDatabase/run(_:sql:_:)``), every request log line carries `trace_id` and `span_id`,
/// and Nozzle's request metrics (`http.server.request.duration`, ...) are exported beside them. The
/// standard variables tune it: `OTEL_SERVICE_NAME` (default `users`), `OTEL_TRACES_SAMPLER`,
/// `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_EXPORTER_OTLP_HEADERS`, ...
/// swift-otel's own logging backend stays off: Nozzle writes the logs.
enum Observability {
    /// Bootstraps swift-otel when asked to, and runs its exporters in each process.
    static func bootstrapIfConfigured(_ app: inout App) {
        let environment = ProcessInfo.processInfo.environment
        guard let endpoint = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], !endpoint.isEmpty else { return }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "users"
        configuration.logs.enabled = false
        // This build has the OTLP/HTTP exporter only (the package's OTLPHTTP trait): no gRPC.
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.metrics.otlpExporter.protocol = .httpProtobuf
        do {
            let exporters = try OTel.bootstrap(configuration: configuration)
            // A service of each worker process: it exports what the worker records, and stops
            // after the services added after it (the database's), so their last spans go out too.
            app.services.append(exporters)
        } catch {
            FileHandle.standardError.write(Data("users: OTEL_EXPORTER_OTLP_ENDPOINT=\(endpoint): \(error)\n".utf8))
            exit(2)
        }
    }
}
