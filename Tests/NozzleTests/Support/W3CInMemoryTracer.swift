#if Tracing
import InMemoryTracing
import Synchronization
import Tracing

/// swift-distributed-tracing's `InMemoryTracer`, propagating its ids as W3C trace context
/// (`traceparent`) as a production tracer does, with ids of W3C's shape.
struct W3CInMemoryTracer: Tracer {
    let recorder: InMemoryTracer

    init() {
        let next = Counter()
        recorder = InMemoryTracer(idGenerator: .init(nextTraceID: { "a" + next.hex(31) }, nextSpanID: { "b" + next.hex(15) }))
    }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> InMemorySpan {
        recorder.startSpan(operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
    }

    func forceFlush() { recorder.forceFlush() }

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let ids = context.inMemorySpanContext else { return }
        injector.inject("00-\(ids.traceID)-\(ids.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let value = extractor.extract(key: "traceparent", from: carrier) else { return }
        let parts = value.split(separator: "-")
        guard parts.count == 4 else { return }
        context.inMemorySpanContext = InMemorySpanContext(traceID: String(parts[1]), spanID: String(parts[2]), parentSpanID: nil)
    }

    /// Ids in order, as hex digits.
    final class Counter: Sendable {
        let next = Atomic<UInt64>(0)

        func hex(_ digits: Int) -> String {
            let text = String(next.add(1, ordering: .relaxed).newValue, radix: 16)
            return String(repeating: "0", count: digits - text.count) + text
        }
    }

    var finishedSpans: [FinishedInMemorySpan] { recorder.finishedSpans }
    var activeSpans: [InMemorySpan] { recorder.activeSpans }
}
#endif
