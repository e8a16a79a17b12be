#if Tracing
public import Tracing
import Synchronization

/// A tracer that keeps the last `capacity` finished spans in memory, as a tracing SDK's export
/// queue holds them until they are sent: to measure what tracing costs a request, and for tests that
/// look at spans. Ids are W3C-shaped and travel as `traceparent`, so a request's log lines carry them.
///
/// ```swift
/// var app = App(routes: .generated)
/// let tracer = RecordingTracer()
/// app.tracer = tracer
/// // ... requests ...
/// tracer.spans.last?.name   // "GET /api/users/{id}"
/// ```
public final class RecordingTracer: Tracer, Sendable {
    /// A span that has ended.
    public struct FinishedSpan: Sendable {
        public var name: String
        public var kind: SpanKind
        public var traceID: String
        public var spanID: String
        public var parentSpanID: String?
        public var attributes: SpanAttributes
        public var status: SpanStatus?
        public var errors: [String]
        /// Nanoseconds since the Unix epoch.
        public var start: UInt64
        public var end: UInt64
    }

    /// How many finished spans are kept: the oldest go first.
    public let capacity: Int
    private let finished: Mutex<(ring: [FinishedSpan], next: Int, count: Int)>
    /// Ids: SplitMix64 over a counter seeded at random once, as an SDK's fast id generator does,
    /// instead of a system call for each.
    private let counter = Atomic<UInt64>(UInt64.random(in: 0...UInt64.max))

    /// A tracer keeping the last `capacity` spans.
    public init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
        finished = Mutex(([], 0, 0))
    }

    private func nextID() -> UInt64 {
        var z = counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        let id = z ^ (z >> 31)
        return id == 0 ? 1 : id
    }

    /// The spans kept, the oldest first.
    public var spans: [FinishedSpan] {
        finished.withLock { state in
            state.ring.count < capacity ? state.ring : Array(state.ring[state.next...] + state.ring[..<state.next])
        }
    }

    /// How many spans have ended in all.
    public var finishedCount: Int { finished.withLock { $0.count } }

    func keep(_ span: FinishedSpan) {
        finished.withLock { state in
            state.count += 1
            if state.ring.count < capacity {
                state.ring.append(span)
            } else {
                state.ring[state.next] = span
                state.next = (state.next + 1) % capacity
            }
        }
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> RecordingSpan {
        var context = context()
        let parent = context[RecordingSpanIDs.self]
        let ids = RecordingSpanIDs.Value(
            traceID: parent?.traceID ?? Self.hex(nextID()) + Self.hex(nextID()),
            spanID: Self.hex(nextID()))
        context[RecordingSpanIDs.self] = ids
        return RecordingSpan(
            tracer: self, name: operationName, kind: kind, context: context, ids: ids, parentSpanID: parent?.spanID,
            start: instant().nanosecondsSinceEpoch)
    }

    public func forceFlush() {}

    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let ids = context[RecordingSpanIDs.self] else { return }
        injector.inject("00-\(ids.traceID)-\(ids.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let value = extractor.extract(key: "traceparent", from: carrier) else { return }
        let parts = value.split(separator: "-")
        guard parts.count == 4, parts[1].utf8.count == 32, parts[2].utf8.count == 16 else { return }
        context[RecordingSpanIDs.self] = .init(traceID: String(parts[1]), spanID: String(parts[2]))
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// A span of a ``RecordingTracer``.
public final class RecordingSpan: Span, Sendable {
    private struct State {
        var name: String
        var attributes = SpanAttributes()
        var status: SpanStatus?
        var errors: [String] = []
        var ended = false
    }

    private let tracer: RecordingTracer
    private let kind: SpanKind
    private let ids: RecordingSpanIDs.Value
    private let parentSpanID: String?
    private let start: UInt64
    private let state: Mutex<State>
    public let context: ServiceContext

    fileprivate init(
        tracer: RecordingTracer, name: String, kind: SpanKind, context: ServiceContext, ids: RecordingSpanIDs.Value, parentSpanID: String?,
        start: UInt64
    ) {
        self.tracer = tracer
        self.kind = kind
        self.context = context
        self.ids = ids
        self.parentSpanID = parentSpanID
        self.start = start
        state = Mutex(State(name: name))
    }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    public var isRecording: Bool { state.withLock { !$0.ended } }

    public func setStatus(_ status: SpanStatus) { state.withLock { $0.status = status } }

    public func addEvent(_ event: SpanEvent) {}

    public func addLink(_ link: SpanLink) {}

    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        let text = String(describing: error)
        state.withLock { $0.errors.append(text) }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let end = instant().nanosecondsSinceEpoch
        let finished = state.withLock { state -> RecordingTracer.FinishedSpan? in
            guard !state.ended else { return nil }
            state.ended = true
            return RecordingTracer.FinishedSpan(
                name: state.name, kind: kind, traceID: ids.traceID, spanID: ids.spanID, parentSpanID: parentSpanID,
                attributes: state.attributes, status: state.status, errors: state.errors, start: start, end: end)
        }
        if let finished { tracer.keep(finished) }
    }
}

/// The ids a ``RecordingTracer`` keeps in a span's context.
enum RecordingSpanIDs: ServiceContextKey {
    struct Value: Sendable {
        var traceID: String
        var spanID: String
    }
}
#endif
