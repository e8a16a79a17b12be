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
        Case(name: "an idle kept connection waits to read", situation: situation(), arm: [.edgeTriggered, .readable]),
        Case(name: "a running request reads its body", situation: situation(.running(id: 1, keepConnection: true, bodyOpen: true), awaiting: false, busy: true), arm: [.edgeTriggered, .readable]),
        Case(name: "output waiting: readable and writable", situation: situation(busy: true, output: true), arm: [.edgeTriggered, .readable, .writable]),
        Case(name: "a full body channel with output: writable only", situation: situation(busy: true, output: true), readPaused: true, arm: [.edgeTriggered, .writable]),
        Case(name: "a full body channel and nothing to write: not armed", situation: situation(busy: true), readPaused: true),
        Case(name: "a connection not kept closes after its request", situation: situation(.closing), close: true),
        Case(name: "not kept, but output still waits: written first", situation: situation(.closing, output: true), arm: [.edgeTriggered, .readable, .writable]),
        Case(name: "not kept, but the request still runs: stays", situation: situation(.closing, busy: true), arm: [.edgeTriggered, .readable]),
        Case(name: "stopping: an idle connection that served closes", situation: situation(), closeWhenIdle: true, close: true),
        Case(name: "stopping: a fresh connection waits for its first request", situation: situation(fresh: true), closeWhenIdle: true, arm: [.edgeTriggered, .readable]),
        Case(name: "stopping: part of a request has arrived", situation: situation(awaiting: false), closeWhenIdle: true, arm: [.edgeTriggered, .readable]),
        Case(name: "answered early, not kept: half-close and linger", situation: situation(.draining(id: 1, keepConnection: false, endSent: true), awaiting: false), linger: true, arm: [.edgeTriggered, .readable]),
        Case(name: "answered early, kept: drain, reading", situation: situation(.draining(id: 1, keepConnection: true, endSent: false), awaiting: false), arm: [.edgeTriggered, .readable]),
        Case(name: "answered early, kept, stopping: linger", situation: situation(.draining(id: 1, keepConnection: true, endSent: false), awaiting: false), closeWhenIdle: true, linger: true, arm: [.edgeTriggered, .readable]),
        Case(name: "lingering reads even with a full channel", situation: situation(.draining(id: 1, keepConnection: false, endSent: true), awaiting: false), readPaused: true, linger: true, arm: [.edgeTriggered, .readable]),
    ]

    /// What a connection just read after accept, not yet in the event set, does next.
    @Test(arguments: cases)
    func settles(_ test: Case) {
        var io = ConnectionIO(registered: false)
        io.readPaused = test.readPaused
        io.closeWhenIdle = test.closeWhenIdle
        let settlement = io.settle(test.situation, now: 100)
        #expect(settlement == ConnectionIO.Settlement(close: test.close, linger: test.linger, arm: test.arm, add: test.arm != nil))
        #expect(io.isClosed == test.close)
        if test.linger { #expect(io.phase == .lingering(until: 100 + ConnectionIO.lingerSeconds)) }
    }

    @Test func registeredAlreadyForTheSameIsNotRegisteredAgain() {
        var io = ConnectionIO()
        let settled1 = io.settle(Self.situation(), now: 0)
        #expect(settled1 == .none)
        // Output to write now: registered again, for both; written, for reading alone again.
        let writing = io.settle(Self.situation(busy: true, output: true), now: 0)
        #expect(writing == ConnectionIO.Settlement(arm: [.edgeTriggered, .readable, .writable]))
        let written = io.settle(Self.situation(busy: true), now: 0)
        #expect(written == ConnectionIO.Settlement(arm: ConnectionIO.reading))
        // An event leaves the registration as it was: a kept connection's next request needs none.
        let taken2 = io.beginEvent()
        #expect(taken2 == (handle: true, read: true))
        io.endEvent()
        let settled4 = io.settle(Self.situation(), now: 0)
        #expect(settled4 == .none)
    }

    /// A connection read at once after accept is added to the event set by its first arming only.
    @Test func aConnectionNotYetRegisteredIsAddedByItsFirstArming() {
        var io = ConnectionIO(registered: false)
        _ = io.beginEvent()
        io.endEvent()
        let first = io.settle(Self.situation(), now: 0)
        #expect(first == ConnectionIO.Settlement(arm: ConnectionIO.reading, add: true))
        _ = io.beginEvent()
        io.endEvent()
        let settled5 = io.settle(Self.situation(), now: 0)
        #expect(settled5 == .none)
        // One that closes before it waits for anything is never added.
        var quick = ConnectionIO(registered: false)
        let closed = quick.settle(Self.situation(.closing), now: 0)
        #expect(closed == ConnectionIO.Settlement(close: true))
    }

    /// Edge-triggered, an event comes once: one that comes while a worker handles the connection is
    /// not handled by a second worker, and is not lost either: when the first lets go, the
    /// connection is registered again (the kernel then sends another event if bytes are there).
    @Test func anEventWhileAWorkerHandlesItRegistersTheConnectionAgain() {
        var io = ConnectionIO()
        let taken1 = io.beginEvent()
        #expect(taken1 == (handle: true, read: true))
        let taken2 = io.beginEvent()
        #expect(taken2 == (handle: false, read: false))
        let meanwhile = io.settle(Self.situation(), now: 0)
        #expect(meanwhile == .none)
        io.endEvent()
        let settled = io.settle(Self.situation(), now: 0)
        #expect(settled == ConnectionIO.Settlement(arm: ConnectionIO.reading))
        // Once only: the next event without another meanwhile leaves the registration as it is.
        _ = io.beginEvent()
        io.endEvent()
        let again = io.settle(Self.situation(), now: 0)
        #expect(again == .none)
        // Closed meanwhile: nothing to register.
        var closing = ConnectionIO()
        _ = closing.beginEvent()
        _ = closing.beginEvent()
        let closed = closing.close()
        #expect(closed)
        closing.endEvent()
        let settledClosed = closing.settle(Self.situation(), now: 0)
        #expect(settledClosed == .none)
    }

    /// Reading paused with bytes maybe left in the socket: no edge signals them again, so resuming
    /// registers the connection again, which has the kernel look at the socket afresh.
    @Test func resumingReadingRegistersAgain() {
        var io = ConnectionIO()
        _ = io.beginEvent()
        io.readPaused = true
        io.endEvent()
        let settled15 = io.settle(Self.situation(busy: true), now: 0)
        #expect(settled15 == .none)
        let taken16 = io.beginEvent()
        #expect(taken16 == (handle: true, read: false))
        io.endEvent()
        io.readPaused = false
        let settled17 = io.settle(Self.situation(busy: true), now: 0)
        #expect(settled17 == ConnectionIO.Settlement(arm: ConnectionIO.reading))
        let settled18 = io.settle(Self.situation(busy: true), now: 0)
        #expect(settled18 == .none)
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
