@_spi(Fuzzing) @testable import NozzleFastCGI
import Testing

/// A connection's I/O life as a value: what it does once no worker handles it, and at its deadlines.
struct ConnectionIOTests {
    typealias Situation = ConnectionIO.Situation

    static func situation(
        _ phase: FastCGIConnectionState.Phase = .idle, awaiting: Bool = true, fresh: Bool = false, busy: Bool = false, output: Bool = false
    ) -> Situation {
        Situation(protocolPhase: phase, awaitingRequest: awaiting, fresh: fresh, busy: busy, outputPending: output)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var situation: Situation
        var readPaused = false
        var closeWhenIdle = false
        var close = false
        var linger = false
        var arm: EventSet.Interest?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "an idle kept connection waits to read", situation: situation(), arm: [.oneShot, .readable]),
        Case(name: "a running request reads its body", situation: situation(.running(id: 1, keepConnection: true, bodyOpen: true), awaiting: false, busy: true), arm: [.oneShot, .readable]),
        Case(name: "output waiting: readable and writable", situation: situation(busy: true, output: true), arm: [.oneShot, .readable, .writable]),
        Case(name: "a full body channel with output: writable only", situation: situation(busy: true, output: true), readPaused: true, arm: [.oneShot, .writable]),
        Case(name: "a full body channel and nothing to write: not armed", situation: situation(busy: true), readPaused: true),
        Case(name: "a connection not kept closes after its request", situation: situation(.closing), close: true),
        Case(name: "not kept, but output still waits: written first", situation: situation(.closing, output: true), arm: [.oneShot, .readable, .writable]),
        Case(name: "not kept, but the request still runs: stays", situation: situation(.closing, busy: true), arm: [.oneShot, .readable]),
        Case(name: "stopping: an idle connection that served closes", situation: situation(), closeWhenIdle: true, close: true),
        Case(name: "stopping: a fresh connection waits for its first request", situation: situation(fresh: true), closeWhenIdle: true, arm: [.oneShot, .readable]),
        Case(name: "stopping: part of a request has arrived", situation: situation(awaiting: false), closeWhenIdle: true, arm: [.oneShot, .readable]),
        Case(name: "answered early, not kept: half-close and linger", situation: situation(.draining(id: 1, keepConnection: false, endSent: true), awaiting: false), linger: true, arm: [.oneShot, .readable]),
        Case(name: "answered early, kept: drain, reading", situation: situation(.draining(id: 1, keepConnection: true, endSent: false), awaiting: false), arm: [.oneShot, .readable]),
        Case(name: "answered early, kept, stopping: linger", situation: situation(.draining(id: 1, keepConnection: true, endSent: false), awaiting: false), closeWhenIdle: true, linger: true, arm: [.oneShot, .readable]),
        Case(name: "lingering reads even with a full channel", situation: situation(.draining(id: 1, keepConnection: false, endSent: true), awaiting: false), readPaused: true, linger: true, arm: [.oneShot, .readable]),
    ]

    @Test(arguments: cases)
    func settles(_ test: Case) {
        var io = ConnectionIO()
        io.readPaused = test.readPaused
        io.closeWhenIdle = test.closeWhenIdle
        let settlement = io.settle(test.situation, now: 100)
        #expect(settlement == ConnectionIO.Settlement(close: test.close, linger: test.linger, arm: test.arm))
        #expect(io.isClosed == test.close)
        if test.linger { #expect(io.phase == .lingering(until: 100 + ConnectionIO.lingerSeconds)) }
    }

    @Test func armedAlreadyForTheSameIsNotArmedAgain() {
        var io = ConnectionIO()
        let result1 = io.settle(Self.situation(), now: 0)
        #expect(result1.arm == [.oneShot, .readable])
        let result2 = io.settle(Self.situation(), now: 0)
        #expect(result2 == .none)
        // Output to write now: registered again, for both.
        let result3 = io.settle(Self.situation(busy: true, output: true), now: 0)
        #expect(result3.arm == [.oneShot, .readable, .writable])
        // An event disarms it: the next settle arms again.
        _ = io.beginEvent()
        io.endEvent()
        let result4 = io.settle(Self.situation(), now: 0)
        #expect(result4.arm == [.oneShot, .readable])
    }

    /// A connection read at once after accept is added to the event set by its first arming only.
    @Test func aConnectionNotYetRegisteredIsAddedByItsFirstArming() {
        var io = ConnectionIO(registered: false)
        _ = io.beginEvent()
        io.endEvent()
        let first = io.settle(Self.situation(), now: 0)
        #expect(first == ConnectionIO.Settlement(arm: [.oneShot, .readable], add: true))
        _ = io.beginEvent()
        io.endEvent()
        let second = io.settle(Self.situation(), now: 0)
        #expect(second == ConnectionIO.Settlement(arm: [.oneShot, .readable], add: false))
        // One that closes before it waits for anything is never added.
        var quick = ConnectionIO(registered: false)
        let closed = quick.settle(Self.situation(.closing), now: 0)
        #expect(closed == ConnectionIO.Settlement(close: true))
    }

    @Test func whileAWorkerHandlesItNothingElseSettlesIt() {
        var io = ConnectionIO()
        let result5 = io.beginEvent()
        #expect(result5 == (handle: true, read: true))
        let result6 = io.settle(Self.situation(.closing), now: 0)
        #expect(result6 == .none)
        #expect(!io.isClosed)
        let result7 = io.expire(now: 1e9, holdingEnd: true)
        #expect(result7 == .none)
        io.endEvent()
        let result8 = io.settle(Self.situation(.closing), now: 0)
        #expect(result8.close)
    }

    @Test func aClosedConnectionTakesNoEventsAndClosesOnce() {
        var io = ConnectionIO()
        let result9 = io.close()
        #expect(result9)
        let result10 = io.close()
        #expect(!result10)
        let result11 = io.beginEvent()
        #expect(result11 == (handle: false, read: false))
        let result12 = io.settle(Self.situation(), now: 0)
        #expect(result12 == .none)
    }

    @Test func aPausedConnectionHandlesEventsWithoutReading() {
        var io = ConnectionIO()
        io.readPaused = true
        let result13 = io.beginEvent()
        #expect(result13 == (handle: true, read: false))
    }

    /// The deadlines of an answered body: a stall sends its END_REQUEST while it is held back, and
    /// the drain's own deadline gives the connection up.
    @Test(arguments: [
        (0.05, true, ConnectionIO.Expiry.none),
        (0.2, true, .endStalledBody),
        (0.2, false, .none),
        (ConnectionIO.drainSeconds + 1, true, .giveUpDrain),
        (ConnectionIO.drainSeconds + 1, false, .giveUpDrain),
    ])
    func drainDeadlines(after seconds: Double, holdingEnd: Bool, expiry: ConnectionIO.Expiry) {
        var io = ConnectionIO()
        io.beginDrain(now: 10)
        let result14 = io.expire(now: 10 + seconds, holdingEnd: holdingEnd)
        #expect(result14 == expiry)
    }

    @Test func bytesThatArriveKeepTheDrainFromStalling() {
        var io = ConnectionIO()
        io.beginDrain(now: 10)
        io.noteActivity(now: 10.09)
        let result15 = io.expire(now: 10.15, holdingEnd: true)
        #expect(result15 == .none)
        let result16 = io.expire(now: 10.2, holdingEnd: true)
        #expect(result16 == .endStalledBody)
        io.endDrain()
        let result17 = io.expire(now: 100, holdingEnd: true)
        #expect(result17 == .none)
    }

    @Test func aLingerClosesAtItsDeadline() {
        var io = ConnectionIO()
        _ = io.settle(Self.situation(.draining(id: 1, keepConnection: false, endSent: true), awaiting: false), now: 50)
        #expect(io.isLingering)
        let result18 = io.expire(now: 50 + ConnectionIO.lingerSeconds - 0.1, holdingEnd: false)
        #expect(result18 == .none)
        let result19 = io.expire(now: 50 + ConnectionIO.lingerSeconds + 0.1, holdingEnd: false)
        #expect(result19 == .close)
        #expect(io.isClosed)
    }
}
