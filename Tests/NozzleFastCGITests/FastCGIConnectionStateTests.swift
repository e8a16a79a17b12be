@_spi(Fuzzing) @testable import NozzleFastCGI
import Testing

/// The connection's protocol state as a value: records in, actions out, no socket.
struct FastCGIConnectionStateTests {
    static let limits = FastCGIConnectionState.Limits(maxConnections: 500, maxRequests: 500, paramsBytes: 4096)

    /// Feeds `bytes` in pieces of `piece` bytes, as reads that end anywhere would deliver them.
    static func feed(_ state: inout FastCGIConnectionState, _ bytes: [UInt8], piece: Int = .max) -> [FastCGIConnectionState.Action] {
        var actions: [FastCGIConnectionState.Action] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + piece)
            actions += bytes[offset..<end].withUnsafeBytes { state.receive($0) }
            offset = end
        }
        return actions
    }

    static func request(id: UInt16 = 1, keep: Bool = true, params: [(String, String)] = [("REQUEST_METHOD", "POST"), ("SCRIPT_NAME", "/api/x")], body: [UInt8] = []) -> [UInt8] {
        FastCGIRecord.begin(requestID: id, keepConnection: keep)
            + FastCGIRecord.stream(.params, FastCGIRecord.pairs(params), requestID: id)
            + FastCGIRecord.stream(.stdin, body, requestID: id, chunk: 3)
    }

    /// The actions, as words a test can compare.
    static func describe(_ actions: [FastCGIConnectionState.Action]) -> [String] {
        actions.map { action in
            switch action {
            case .start(let head): "start \(head.id) keep=\(head.keepConnection) \(head.params["REQUEST_METHOD"] ?? "") \(head.params["SCRIPT_NAME"] ?? "")"
            case .body(let bytes): "body \(String(decoding: bytes, as: UTF8.self))"
            case .endOfBody: "end of body"
            case .abort: "abort"
            case .send(let bytes): "send type \(bytes[1]) id \(Int(bytes[2]) << 8 | Int(bytes[3])) status \(bytes[1] == 3 ? Int(bytes[12]) : -1)"
            case .endRequest(let id): "end request \(id)"
            case .fail(let reason): "fail: \(reason)"
            }
        }
    }

    @Test(arguments: [1, 2, 7, 8, 9, 64, Int.max])
    func aRequestArrivesWholeHoweverTheReadsCutIt(piece: Int) {
        var state = FastCGIConnectionState(limits: Self.limits)
        let actions = Self.feed(&state, Self.request(body: Array("hello world".utf8)), piece: piece)
        // Body chunks come as the records were cut (3 bytes each), in order.
        #expect(Self.describe(actions) == ["start 1 keep=true POST /api/x", "body hel", "body lo ", "body wor", "body ld", "end of body"])
        #expect(state.phase == .running(id: 1, keepConnection: true, bodyOpen: false))
        #expect(!state.isFresh)
    }

    @Test func afterTheResponseTheConnectionTakesTheNextRequest() {
        var state = FastCGIConnectionState(limits: Self.limits)
        _ = Self.feed(&state, Self.request())
        #expect(state.finishRequest() == .endNow(1))
        #expect(state.finishRequest() == nil)
        #expect(state.phase == .idle)
        #expect(state.isAwaitingRequest)
        #expect(Self.describe(Self.feed(&state, Self.request(id: 2))).first == "start 2 keep=true POST /api/x")
    }

    /// What a request reads of its params: each name's first value, whether the name is one of
    /// those noted as the params arrive (the request line's, the body's) or any other, read back
    /// whole and in order; a name sent twice gives its first value, as a scan from the start would.
    @Test func paramsReadBackAsSentWithTheFirstOfANameSentTwice() throws {
        let long = String(repeating: "x", count: 300)
        let sent: [(String, String)] = [
            ("DOCUMENT_URI", "/api/x"), ("QUERY_STRING", "a=1"), ("REQUEST_METHOD", "GET"), ("CONTENT_TYPE", ""),
            ("CONTENT_LENGTH", ""), ("SCRIPT_NAME", "/api/x"), ("REQUEST_URI", "/api/x?a=1"), ("REMOTE_ADDR", "127.0.0.1"),
            ("HTTP_X_REQUEST_ID", long), ("REQUEST_METHOD", "POST"), ("HTTP_IF_NONE_MATCH", "\"a\""),
            ("REQUEST_URX", "near"), ("request_method", "lower"), ("HTTPS", "on"), ("HTTP_IF_MODIFIED_SINCE", "Sat, 05 Dec 2026 10:00:00 GMT"),
            ("HTTP_TRANSFER_ENCODING", "chunked"), ("", "nameless"), ("PATH_INFO", ""), ("HTTP_HOST", "example.com"),
        ]
        var state = FastCGIConnectionState(limits: Self.limits)
        let actions = Self.feed(&state, Self.request(params: sent), piece: 5)
        guard case .start(let head) = try #require(actions.first) else {
            Issue.record("no request started: \(Self.describe(actions))")
            return
        }
        var readBack: [(String, String)] = []
        head.params.forEach { name, value in readBack.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))) }
        #expect(readBack.map { "\($0.0)=\($0.1)" } == sent.map { "\($0.0)=\($0.1)" })
        for (name, _) in sent {
            #expect(head.params[name] == sent.first { $0.0 == name }?.1, "\(name)")
        }
        #expect(head.params["REQUEST_METHOD"] == "GET")
        #expect(head.params["HTTP_X_REQUEST_ID"] == long)
        for missing in ["HTTP_CONTENT_ENCODING", "REQUEST_ID", "HTTP_X_REQUEST_IE", "REQUEST_METHO", "X"] {
            #expect(head.params[missing] == nil, "\(missing)")
        }
    }

    /// Every variable reads back whole and in order whether their places all fit on the stack or
    /// some went on to an array: at, just under and past that room, and far past it.
    @Test(arguments: [0, 1, FastCGIConnectionState.stackPlaces - 1, FastCGIConnectionState.stackPlaces, FastCGIConnectionState.stackPlaces + 1, 3 * FastCGIConnectionState.stackPlaces])
    func paramsReadBackWholeAtAnyCount(count: Int) throws {
        var sent = (0..<count).map { ("HTTP_X_V\($0)", String(repeating: "v", count: $0 % 7) + "\($0)") }
        if count > 0 { sent[count - 1] = ("REQUEST_METHOD", "PATCH") }
        var state = FastCGIConnectionState(limits: FastCGIConnectionState.Limits(maxConnections: 1, maxRequests: 1, paramsBytes: 1 << 16))
        let actions = Self.feed(&state, Self.request(params: sent), piece: 11)
        guard case .start(let head) = try #require(actions.first) else {
            Issue.record("no request started: \(Self.describe(actions))")
            return
        }
        var readBack: [String] = []
        head.params.forEach { name, value in readBack.append(String(decoding: name, as: UTF8.self) + "=" + String(decoding: value, as: UTF8.self)) }
        #expect(readBack == sent.map { "\($0.0)=\($0.1)" })
        #expect(head.params["REQUEST_METHOD"] == (count > 0 ? "PATCH" : nil))
    }

    /// Past the 255 variables whose places are noted, a name sent first there, or twice across the
    /// line, still reads as its first value.
    @Test func paramsPastThe255thReadAsTheFirstOfTheirName() throws {
        var sent = (0..<300).map { ("V\($0)", "\($0)") }
        sent[10] = ("REQUEST_METHOD", "GET")
        sent[280] = ("REQUEST_METHOD", "POST")
        sent[270] = ("HTTPS", "on")
        sent[299] = ("SCRIPT_NAME", "/api/late")
        var state = FastCGIConnectionState(limits: FastCGIConnectionState.Limits(maxConnections: 1, maxRequests: 1, paramsBytes: 1 << 16))
        let actions = Self.feed(&state, Self.request(params: sent))
        guard case .start(let head) = try #require(actions.first) else {
            Issue.record("no request started: \(Self.describe(actions))")
            return
        }
        #expect(head.params["REQUEST_METHOD"] == "GET")
        #expect(head.params["HTTPS"] == "on")
        #expect(head.params["SCRIPT_NAME"] == "/api/late")
        #expect(head.params["PATH_INFO"] == nil)
        #expect(head.params["V299"] == nil)
        #expect(head.params["V298"] == "298")
    }

    @Test func keptParamsRoomGoesOnlyWhenNoParamsAreBeingRead() {
        var state = FastCGIConnectionState(limits: Self.limits)
        _ = Self.feed(&state, Self.request())
        // The buffer stays for the next request's params, until its request is seen to wait.
        #expect(state.keptParamsCapacity > 0)
        state.releaseKeptStorage()
        #expect(state.keptParamsCapacity == 0)
        _ = state.finishRequest()
        // The next request's params are in but for the record that ends them: letting go now
        // would lose them.
        let pairs = FastCGIRecord.pairs([("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", "/api/waits")])
        let next = FastCGIRecord.begin(requestID: 2, keepConnection: true) + FastCGIRecord.encode(.params, requestID: 2, content: pairs)
            + FastCGIRecord.encode(.params, requestID: 2, content: []) + FastCGIRecord.encode(.stdin, requestID: 2, content: [])
        let split = next.count - 16
        #expect(Self.feed(&state, Array(next[..<split])).isEmpty)
        state.releaseKeptStorage()
        #expect(state.keptParamsCapacity > 0)
        #expect(Self.describe(Self.feed(&state, Array(next[split...]))) == ["start 2 keep=true GET /api/waits", "end of body"])
    }

    /// A request whose answer went out with `body` of its body read so far.
    static func answeredEarly(keep: Bool = true, limits: FastCGIConnectionState.Limits = limits) -> (FastCGIConnectionState, FastCGIConnectionState.Finish?) {
        var state = FastCGIConnectionState(limits: limits)
        let begin = FastCGIRecord.begin(keepConnection: keep) + FastCGIRecord.stream(.params, FastCGIRecord.pairs([("REQUEST_METHOD", "POST")]))
        _ = Self.feed(&state, begin + FastCGIRecord.encode(.stdin, content: Array("part".utf8)))
        // A 413, say, before the body is all there.
        let finish = state.finishRequest()
        return (state, finish)
    }

    @Test func anEarlyResponseDrainsTheRestOfTheBodyBeforeItsEndRequest() {
        var (state, finish) = Self.answeredEarly()
        // The answer goes out now, its END_REQUEST only once the body has ended.
        #expect(finish == .endAfterBody(1))
        #expect(state.phase == .draining(id: 1, keepConnection: true, endSent: false))
        #expect(state.isHoldingEnd)
        // The rest of the body is dropped, not taken for the next request.
        #expect(Self.feed(&state, FastCGIRecord.encode(.stdin, content: Array("more".utf8))).isEmpty)
        #expect(Self.describe(Self.feed(&state, FastCGIRecord.encode(.stdin, content: []))) == ["end request 1"])
        #expect(state.phase == .idle)
        #expect(Self.describe(Self.feed(&state, Self.request())).first == "start 1 keep=true POST /api/x")
    }

    /// The body's end may come in any cut of the reads; END_REQUEST comes once, after it.
    @Test(arguments: [1, 3, 8, 9, Int.max])
    func theEndRequestOfADrainedBodyComesOnceWhateverTheReads(piece: Int) {
        var (state, _) = Self.answeredEarly()
        let rest = FastCGIRecord.stream(.stdin, Array(repeating: 120, count: 100), chunk: 7)
        #expect(Self.describe(Self.feed(&state, rest, piece: piece)) == ["end request 1"])
    }

    @Test func pastTheDrainLimitTheConnectionIsGivenUpWithoutEndRequest() {
        let limits = FastCGIConnectionState.Limits(maxConnections: 5, maxRequests: 5, drainBytes: 10)
        var (state, _) = Self.answeredEarly(limits: limits)
        #expect(Self.feed(&state, FastCGIRecord.encode(.stdin, content: Array("0123456789".utf8))).isEmpty)
        #expect(state.isHoldingEnd)
        #expect(Self.feed(&state, FastCGIRecord.encode(.stdin, content: Array("x".utf8))).isEmpty)
        // Now it closes as a connection the web server did not keep: no END_REQUEST, ever.
        #expect(state.phase == .draining(id: 1, keepConnection: false, endSent: false))
        #expect(!state.isHoldingEnd)
        #expect(Self.feed(&state, FastCGIRecord.encode(.stdin, content: [])).isEmpty)
        #expect(state.phase == .closing)
    }

    @Test func aDrainThatStopsAtItsDeadlineEndsWithoutEndRequest() {
        var (state, _) = Self.answeredEarly()
        let stopped = state.stopDraining()
        #expect(stopped)
        #expect(state.phase == .draining(id: 1, keepConnection: false, endSent: false))
        let stoppedAgain = state.stopDraining()
        #expect(!stoppedAgain)
        #expect(Self.feed(&state, FastCGIRecord.encode(.stdin, content: [])).isEmpty)
        #expect(state.phase == .closing)
    }

    /// nginx stops sending a body once it has the answer, and waits for END_REQUEST: a stalled
    /// body gets it, what still comes of it is dropped, and the connection takes the next request.
    @Test func aStalledBodyGetsItsEndRequestAndTheRestIsStillDropped() {
        var (state, _) = Self.answeredEarly()
        #expect(state.bodyStalled() == 1)
        #expect(state.bodyStalled() == nil)
        #expect(!state.isHoldingEnd)
        #expect(Self.feed(&state, FastCGIRecord.encode(.stdin, content: Array("late".utf8)) + FastCGIRecord.encode(.stdin, content: [])).isEmpty)
        #expect(state.phase == .idle)
        // A web server may also begin its next request without sending the rest.
        var (other, _) = Self.answeredEarly()
        _ = other.bodyStalled()
        #expect(Self.describe(Self.feed(&other, Self.request(id: 2))).first == "start 2 keep=true POST /api/x")
    }

    @Test func withoutKeepConnectionAnEarlyAnswerEndsAtOnce() {
        var (state, finish) = Self.answeredEarly(keep: false)
        #expect(finish == .endNow(1))
        #expect(state.phase == .draining(id: 1, keepConnection: false, endSent: true))
        #expect(state.bodyStalled() == nil)
        #expect(!state.isHoldingEnd)
    }

    /// A web server does not begin a request before the last one's END_REQUEST: one that does is
    /// refused as multiplexing, and the drain goes on.
    @Test func aNewRequestBeforeTheDrainedOnesEndIsRefused() {
        var (state, _) = Self.answeredEarly()
        #expect(Self.describe(Self.feed(&state, FastCGIRecord.begin(requestID: 2, keepConnection: true))) == ["send type 3 id 2 status 1"])
        #expect(state.isHoldingEnd)
    }

    @Test func withoutKeepConnectionItClosesAfterTheResponse() {
        var state = FastCGIConnectionState(limits: Self.limits)
        _ = Self.feed(&state, Self.request(keep: false))
        _ = state.finishRequest()
        #expect(state.phase == .closing)
    }

    @Test func getValuesIsAnsweredAtOnceWithTheTruth() throws {
        var state = FastCGIConnectionState(limits: Self.limits)
        let ask = FastCGIRecord.encode(.getValues, requestID: 0, content: FastCGIRecord.pairs([("FCGI_MPXS_CONNS", ""), ("FCGI_MAX_REQS", ""), ("FCGI_NOT_A_VALUE", ""), ("FCGI_MAX_CONNS", "")]))
        let actions = Self.feed(&state, ask)
        guard case .send(let reply)? = actions.first, actions.count == 1 else {
            Issue.record("expected one reply, got \(Self.describe(actions))")
            return
        }
        #expect(reply[1] == FastCGIRecord.Kind.getValuesResult.rawValue)
        #expect(reply[2] == 0 && reply[3] == 0)
        let length = Int(reply[4]) << 8 | Int(reply[5])
        var values: [String: String] = [:]
        _ = Array(reply[8..<8 + length]).withUnsafeBufferPointer { bytes in
            FastCGIConnectionState.decodePairs(bytes) { name, value in
                values[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
            }
        }
        // Only what was asked and known, in the order asked.
        #expect(values == ["FCGI_MPXS_CONNS": "0", "FCGI_MAX_REQS": "500", "FCGI_MAX_CONNS": "500"])
        // Between records of a running request too.
        _ = Self.feed(&state, FastCGIRecord.begin(keepConnection: true))
        #expect(Self.describe(Self.feed(&state, ask)).first?.hasPrefix("send type 10 id 0") == true)
    }

    @Test func anUnknownManagementTypeGetsUnknownType() {
        var state = FastCGIConnectionState(limits: Self.limits)
        let actions = Self.feed(&state, FastCGIRecord.Header(type: 42, requestID: 0, contentLength: 0, paddingLength: 0).encoded)
        guard case .send(let reply)? = actions.first else {
            Issue.record("no reply")
            return
        }
        #expect(reply[1] == FastCGIRecord.Kind.unknownType.rawValue)
        #expect(reply[8] == 42)
    }

    @Test func aSecondRequestOnABusyConnectionIsRefusedNotQueued() {
        var state = FastCGIConnectionState(limits: Self.limits)
        _ = Self.feed(&state, Self.request(id: 1))
        let second = Self.describe(Self.feed(&state, FastCGIRecord.begin(requestID: 2, keepConnection: true)))
        #expect(second == ["send type 3 id 2 status 1"])  // END_REQUEST, FCGI_CANT_MPX_CONN
        #expect(state.phase == .running(id: 1, keepConnection: true, bodyOpen: false))
    }

    @Test func otherRolesAreRefused() {
        var state = FastCGIConnectionState(limits: Self.limits)
        let actions = Self.describe(Self.feed(&state, FastCGIRecord.begin(role: 2, keepConnection: true)))
        #expect(actions == ["send type 3 id 1 status 3"])  // FCGI_UNKNOWN_ROLE
        #expect(state.phase == .idle)
    }

    @Test func abortReachesTheRunningRequest() {
        var state = FastCGIConnectionState(limits: Self.limits)
        _ = Self.feed(&state, Self.request())
        #expect(Self.describe(Self.feed(&state, FastCGIRecord.encode(.abortRequest, content: []))) == ["abort"])
        // The web server closing a connection with a request running gives up on it too.
        let closed = state.peerClosed()
        #expect(Self.describe(closed) == ["abort"])
        #expect(state.phase == .closing)
    }

    static let brokenStreams: [([UInt8], String)] = [
        ([UInt8](repeating: 0x41, count: 8), "not 1"),
        (FastCGIRecord.begin(keepConnection: true)
            + FastCGIRecord.encode(.params, content: [0xFF, 0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0xFF, 0xF0, 0x41])
            + FastCGIRecord.encode(.params, content: []), "middle of a name-value pair"),
        (FastCGIRecord.begin(keepConnection: true) + FastCGIRecord.encode(.stdin, content: [1]), "before the end of PARAMS"),
        (FastCGIRecord.encode(.beginRequest, content: [0, 1]), "BEGIN_REQUEST with 2 bytes"),
    ]

    @Test(arguments: brokenStreams)
    func brokenStreamsFailWithAReason(bytes: [UInt8], reason: String) {
        var state = FastCGIConnectionState(limits: Self.limits)
        let actions = Self.describe(Self.feed(&state, bytes))
        #expect(actions.last?.hasPrefix("fail:") == true && actions.last?.contains(reason) == true, "\(actions)")
    }

    @Test func paramsPastTheLimitFail() {
        var state = FastCGIConnectionState(limits: Self.limits)
        let big = FastCGIRecord.begin(keepConnection: true) + FastCGIRecord.stream(.params, FastCGIRecord.pairs([("HTTP_X", String(repeating: "v", count: 5000))]))
        let actions = Self.describe(Self.feed(&state, big))
        #expect(actions == ["fail: the request's params are larger than 4096 bytes"])
    }

    @Test func recordsForOtherRequestsAreIgnored() {
        var state = FastCGIConnectionState(limits: Self.limits)
        _ = Self.feed(&state, Self.request(id: 1))
        let stray = FastCGIRecord.encode(.stdin, requestID: 9, content: [1, 2]) + FastCGIRecord.encode(.params, requestID: 9, content: [0, 0])
        #expect(Self.feed(&state, stray).isEmpty)
    }
}
