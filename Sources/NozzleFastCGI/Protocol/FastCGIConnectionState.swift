import Nozzle

/// One FastCGI connection's protocol state, as a value: bytes and events in, what to do out.
///
/// It reads records, gathers a request's PARAMS, hands its STDIN on as body chunks, answers
/// management records at once (`FCGI_GET_VALUES`, and `FCGI_UNKNOWN_TYPE` for anything else), and
/// refuses a second request on a busy connection with `FCGI_CANT_MPX_CONN`. After a response it
/// discards whatever is left of that request's body, so the next request starts clean. It does no
/// I/O: ``FastCGIConnection`` feeds it and carries out its actions.
///
/// An early answer (a 413 before the body has arrived) on a kept connection goes out at once, but
/// its END_REQUEST waits until the rest of the body has been read and dropped: a web server that
/// takes END_REQUEST as "the connection is free" while it is still writing the body (h2o aborts)
/// must never see it early. A web server that stops sending the body once it has the answer
/// (nginx does) waits for END_REQUEST instead: when the body stalls, the connection calls
/// ``bodyStalled()`` and END_REQUEST goes out then. Past ``Limits/drainBytes`` of dropped body, or
/// when the connection calls ``stopDraining()`` at its deadline, the connection is given up
/// instead: no END_REQUEST, a half-close and a linger, as for a connection not kept.
@_spi(Fuzzing) public struct FastCGIConnectionState: Sendable {
    /// What the connection should do.
    public enum Action: Sendable {
        /// A request's params are complete: start it.
        case start(FastCGIRequestHead)
        /// Bytes of the running request's body.
        case body([UInt8])
        /// The running request's body is complete.
        case endOfBody
        /// The web server gave up on the running request (`FCGI_ABORT_REQUEST`).
        case abort
        /// Bytes to send now: management replies and refusals.
        case send([UInt8])
        /// The body of an answered request has been read to its end: send its END_REQUEST now.
        case endRequest(UInt16)
        /// The stream breaks the protocol: log the reason and close the connection.
        case fail(String)
    }

    /// Where the connection is in its life.
    public enum Phase: Equatable, Sendable {
        /// Waiting for BEGIN_REQUEST.
        case idle
        /// Gathering a request's PARAMS.
        case params(id: UInt16, keepConnection: Bool)
        /// The request runs; `bodyOpen` until its empty STDIN record.
        case running(id: UInt16, keepConnection: Bool, bodyOpen: Bool)
        /// The response went out; the rest of the request's body is read and dropped. Until
        /// `endSent`, its END_REQUEST waits for the body's end (or for the body to stall).
        case draining(id: UInt16, keepConnection: Bool, endSent: Bool)
        /// The web server did not ask to keep the connection: it closes after the response.
        case closing
    }

    /// What `FCGI_GET_VALUES` answers, the most PARAMS bytes one request may send, and how much
    /// of an answered request's body is read and dropped to keep its connection.
    public struct Limits: Sendable {
        public var maxConnections: Int
        public var maxRequests: Int
        public var paramsBytes: Int
        /// Past this many dropped body bytes, keeping the connection is not worth reading the rest.
        public var drainBytes: Int

        public init(maxConnections: Int, maxRequests: Int, paramsBytes: Int = 1 << 20, drainBytes: Int = Limits.defaultDrainBytes) {
            self.maxConnections = maxConnections
            self.maxRequests = maxRequests
            self.paramsBytes = paramsBytes
            self.drainBytes = drainBytes
        }

        /// 16 MiB: a body over a route's limit is read and the connection kept; past this, a new
        /// connection for the web server's next request costs less than reading the rest. nginx
        /// sends at most a few socket buffers of a body before it reads the answer and stops.
        public static let defaultDrainBytes = 16 << 20
    }

    /// How a finished request ends on the wire.
    public enum Finish: Equatable, Sendable {
        /// Its body has all arrived: END_REQUEST goes out with the end of the response.
        case endNow(UInt16)
        /// The rest of its body is still coming on a kept connection: the response goes out now,
        /// END_REQUEST once the body has been read (``Action/endRequest(_:)``).
        case endAfterBody(UInt16)
    }

    public private(set) var phase = Phase.idle
    /// Whether the connection has carried no request yet: a web server opens one only to send one.
    public private(set) var isFresh = true
    private var decoder = FastCGIRecordDecoder()
    private var params: [UInt8] = []
    /// Body bytes dropped since the running request was answered.
    private var drained = 0
    private let limits: Limits

    public init(limits: Limits) { self.limits = limits }

    /// Whether nothing of a next request has arrived: no record, not even part of one.
    public var isAwaitingRequest: Bool { phase == .idle && !decoder.hasPartialRecord }

    /// Whether a request runs now (its response is not complete).
    public var isRunning: Bool {
        if case .running = phase { return true }
        return false
    }

    /// Takes bytes read from the connection; returns what to do, in order.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer) -> [Action] {
        var actions: [Action] = []
        actions.reserveCapacity(4)
        // The decoder is taken out while it calls back into this state, and put back after.
        var decoder = FastCGIRecordDecoder()
        swap(&decoder, &self.decoder)
        defer { swap(&decoder, &self.decoder) }
        do {
            try decoder.feed(bytes) { record in
                handle(record, into: &actions)
                // A record that breaks the protocol ends the connection: nothing after it counts.
                if case .fail? = actions.last { throw Failed() }
            }
        } catch is Failed {
        } catch {
            actions.append(.fail("\(error)"))
        }
        return actions
    }

    private struct Failed: Error {}

    /// The running request's response is complete: returns when its END_REQUEST goes out, or nil
    /// when no request runs. The phase then says what comes next: the next request, the rest of
    /// this one's body, or the close.
    public mutating func finishRequest() -> Finish? {
        guard case .running(let id, let keep, let bodyOpen) = phase else { return nil }
        guard bodyOpen else {
            phase = keep ? .idle : .closing
            return .endNow(id)
        }
        // A connection that closes after this request needs no END_REQUEST held back: nothing
        // can mistake it for a free connection.
        phase = .draining(id: id, keepConnection: keep, endSent: !keep)
        drained = 0
        return keep ? .endAfterBody(id) : .endNow(id)
    }

    /// Whether an answered request's body is still being read, with its END_REQUEST held back.
    public var isHoldingEnd: Bool {
        if case .draining(_, true, false) = phase { return true }
        return false
    }

    /// The rest of an answered request's body has stopped coming: the web server waits for
    /// END_REQUEST before it sends more, or sends none. Returns the request id to end now, or nil
    /// when no END_REQUEST is held back. What still comes of that body is dropped.
    public mutating func bodyStalled() -> UInt16? {
        guard case .draining(let id, true, false) = phase else { return nil }
        phase = .draining(id: id, keepConnection: true, endSent: true)
        return id
    }

    /// Gives up reading the rest of an answered request's body (its deadline passed): the
    /// connection closes, without END_REQUEST if it had not gone out. Returns whether the
    /// connection was still to be kept.
    @discardableResult
    public mutating func stopDraining() -> Bool {
        guard case .draining(let id, true, let endSent) = phase else { return false }
        phase = .draining(id: id, keepConnection: false, endSent: endSent)
        return true
    }

    /// The peer closed its end: a running request has lost its client.
    public mutating func peerClosed() -> [Action] {
        defer { phase = .closing }
        if case .running = phase { return [.abort] }
        return []
    }

    private mutating func handle(_ record: FastCGIRecordDecoder.Record, into actions: inout [Action]) {
        if record.requestID == 0 {
            actions.append(.send(managementReply(record)))
            return
        }
        guard let kind = FastCGIRecord.Kind(rawValue: record.type) else { return }
        switch (kind, phase) {
        case (.beginRequest, .idle), (.beginRequest, .draining(_, _, true)):
            begin(record, into: &actions)
        case (.beginRequest, .params), (.beginRequest, .running), (.beginRequest, .draining(_, _, false)):
            // Before its END_REQUEST, the last request has not ended for the web server.
            actions.append(.send(FastCGIRecord.end(requestID: record.requestID, status: .cantMultiplexConnection)))
        case (.params, .params(let id, let keep)) where record.requestID == id:
            if record.content.isEmpty {
                finishParams(id: id, keepConnection: keep, into: &actions)
            } else if params.count + record.content.count > limits.paramsBytes {
                actions.append(.fail("the request's params are larger than \(limits.paramsBytes) bytes"))
            } else {
                params.append(contentsOf: record.content)
            }
        case (.stdin, .params(let id, _)) where record.requestID == id:
            actions.append(.fail("STDIN arrived before the end of PARAMS"))
        case (.stdin, .running(let id, let keep, true)) where record.requestID == id:
            if record.content.isEmpty {
                phase = .running(id: id, keepConnection: keep, bodyOpen: false)
                actions.append(.endOfBody)
            } else {
                actions.append(.body(Array(record.content)))
            }
        case (.stdin, .draining(let id, let keep, let endSent)) where record.requestID == id:
            if record.content.isEmpty {
                phase = keep ? .idle : .closing
                if keep && !endSent { actions.append(.endRequest(id)) }
            } else if keep {
                drained += record.content.count
                if drained > limits.drainBytes { phase = .draining(id: id, keepConnection: false, endSent: endSent) }
            }
        case (.abortRequest, .running(let id, _, _)) where record.requestID == id,
            (.abortRequest, .params(let id, _)) where record.requestID == id:
            actions.append(.abort)
        default:
            // Records for a request that is not running here are ignored, as the specification says.
            break
        }
    }

    private mutating func begin(_ record: FastCGIRecordDecoder.Record, into actions: inout [Action]) {
        guard record.content.count >= 8 else {
            actions.append(.fail("BEGIN_REQUEST with \(record.content.count) bytes of content instead of 8"))
            return
        }
        let role = UInt16(record.content[0]) << 8 | UInt16(record.content[1])
        let keep = record.content[2] & FastCGIRecord.keepConnectionFlag != 0
        guard role == FastCGIRecord.responderRole else {
            actions.append(.send(FastCGIRecord.end(requestID: record.requestID, status: .unknownRole)))
            phase = keep ? .idle : .closing
            return
        }
        isFresh = false
        params.removeAll(keepingCapacity: true)
        phase = .params(id: record.requestID, keepConnection: keep)
    }

    private mutating func finishParams(id: UInt16, keepConnection: Bool, into actions: inout [Action]) {
        let complete = params.withUnsafeBufferPointer { bytes in FastCGIConnectionState.environment(bytes) }
        // Its capacity stays for the next request's params, up to a typical request's size.
        if params.capacity > 4_096 { params = [] } else { params.removeAll(keepingCapacity: true) }
        guard let environment = complete else {
            actions.append(.fail("a PARAMS stream ends in the middle of a name-value pair"))
            return
        }
        phase = .running(id: id, keepConnection: keepConnection, bodyOpen: true)
        actions.append(.start(FastCGIRequestHead(id: id, keepConnection: keepConnection, params: environment)))
    }

    /// The variables of a request's params, or nil when the bytes end inside a name-value pair.
    /// Where each is goes on the stack first (a web server sends a few dozen), into an array past
    /// that; the environment copies them at their number, since it lives as long as the request.
    static func environment(_ bytes: UnsafeBufferPointer<UInt8>) -> CGIEnvironment? {
        withUnsafeTemporaryAllocation(of: CGIEnvironment.Entry.self, capacity: stackPlaces) { first in
            var count = 0
            var more: [CGIEnvironment.Entry] = []
            let complete = decodePairs(bytes) { name, value in
                // Offsets within params of at most ``Limits/paramsBytes`` (1 MiB by default).
                let place: CGIEnvironment.Entry = (
                    start: Int32(name.baseAddress! - bytes.baseAddress!), nameLength: Int32(name.count), valueLength: Int32(value.count)
                )
                if count < stackPlaces {
                    first.initializeElement(at: count, to: place)
                } else {
                    if more.isEmpty { more.append(contentsOf: first) }
                    more.append(place)
                }
                count += 1
            }
            guard complete else { return nil }
            if count <= stackPlaces { return CGIEnvironment(places: UnsafeBufferPointer(rebasing: first[..<count]), in: bytes) }
            return more.withUnsafeBufferPointer { CGIEnvironment(places: $0, in: bytes) }
        }
    }

    /// How many variables' places ``environment(_:)`` keeps on the stack: 768 bytes.
    static let stackPlaces = 64

    /// Lets go of the params buffer kept for the next request, unless a request's params are being
    /// read into it: a connection whose request waits holds none of it (``FastCGIConnection``).
    mutating func releaseKeptStorage() {
        if params.isEmpty && params.capacity > 0 { params = [] }
    }

    /// The bytes the params buffer holds room for, kept for the next request's params.
    var keptParamsCapacity: Int { params.capacity }

    /// Answers a management record: GET_VALUES with the values it asks for, UNKNOWN_TYPE for any other.
    private func managementReply(_ record: FastCGIRecordDecoder.Record) -> [UInt8] {
        guard record.type == FastCGIRecord.Kind.getValues.rawValue else {
            return FastCGIRecord.encode(.unknownType, requestID: 0, content: [record.type, 0, 0, 0, 0, 0, 0, 0])
        }
        let known = ["FCGI_MAX_CONNS": String(limits.maxConnections), "FCGI_MAX_REQS": String(limits.maxRequests), "FCGI_MPXS_CONNS": "0"]
        var answers: [(String, String)] = []
        _ = FastCGIConnectionState.decodePairs(record.content.assumingMemoryBound(to: UInt8.self)) { name, _ in
            let key = String(decoding: name, as: UTF8.self)
            if let value = known[key], !answers.contains(where: { $0.0 == key }) { answers.append((key, value)) }
        }
        return FastCGIRecord.encode(.getValuesResult, requestID: 0, content: FastCGIRecord.pairs(answers))
    }

    /// Reads name-value pairs; false when the bytes end inside one. Each length is checked against
    /// what is left before it is used, so a hostile length cannot reach past the bytes or overflow.
    static func decodePairs(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void
    ) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let end = bytes.count
        var index = 0
        // One length: a byte under 128, or four bytes big-endian with the top bit set.
        @inline(__always) func length() -> Int? {
            guard index < end else { return nil }
            let first = base[index]
            if first & 0x80 == 0 {
                index += 1
                return Int(first)
            }
            guard end - index >= 4 else { return nil }
            let value = Int(first & 0x7F) << 24 | Int(base[index + 1]) << 16 | Int(base[index + 2]) << 8 | Int(base[index + 3])
            index += 4
            return value
        }
        while index < end {
            guard let nameLength = length(), let valueLength = length(), nameLength <= end - index,
                valueLength <= end - index - nameLength
            else { return false }
            body(UnsafeBufferPointer(start: base + index, count: nameLength), UnsafeBufferPointer(start: base + index + nameLength, count: valueLength))
            index += nameLength + valueLength
        }
        return true
    }
}
