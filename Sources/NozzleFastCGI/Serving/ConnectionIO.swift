/// One connection's I/O life, as a value: whether a worker is handling it, what it waits for in the
/// event set, whether it reads, and how it ends: at once, or half-closed and lingering while it reads
/// and drops what the peer still sends.
///
/// It makes the decisions; ``FastCGIConnection`` makes the syscalls they ask for, under its lock.
/// Beside it, ``FastCGIConnectionState`` says where the protocol is (``settle(_:now:)`` reads its
/// phase). Tested without sockets in `ConnectionIOTests`.
struct ConnectionIO: Equatable {
    enum Phase: Equatable {
        /// Reading requests, or waiting to.
        case open
        /// `shutdown(SHUT_WR)` went out: what still arrives is read and dropped until the peer closes
        /// or this deadline passes, so nothing unread is ever reset.
        case lingering(until: Double)
        case closed
    }

    private(set) var phase = Phase.open
    /// Whether the descriptor is in the event set yet. A connection just accepted is read at once,
    /// before it is registered (the web server has usually sent its request already); its first
    /// arming adds it.
    private(set) var registered: Bool
    /// A worker is handling an event of this connection now: nothing else settles it meanwhile, and
    /// another worker that takes an event of it meanwhile leaves it to this one.
    private(set) var handling = false
    /// An event came while a worker handled the connection. The registration is edge-triggered, so
    /// the event does not come again by itself: when the worker lets go, the registration is
    /// changed again (``settle(_:now:)``), and the kernel, looking at the socket afresh, sends
    /// another if bytes or room are there. The worker does not go round again itself: a peer that
    /// never stops sending would keep it, and the connection's deadlines, from ever letting go.
    private(set) var eventWhileHandling = false
    /// What the connection is registered for in the event set; nil when unknown (not registered
    /// yet, or reading stopped with bytes maybe left unread), so that the next settle registers it
    /// again and the kernel looks at the socket afresh.
    private(set) var armed: EventSet.Interest?
    /// Not reading: the body channel is full, or a request waits for room to start.
    ///
    /// - Invariant: Pausing forgets the registration (`armed`): reading stopped with bytes maybe
    ///   left in the socket, and an edge-triggered registration signals only bytes that arrive
    ///   later, so resuming must change the registration to have the kernel look again.
    var readPaused = false {
        didSet { if readPaused { armed = nil } }
    }
    /// After the response: close instead of waiting for another request (the server stops).
    var closeWhenIdle = false
    /// An early answer is out on a kept connection, and the rest of its request's body is read and
    /// dropped before its END_REQUEST: past `deadline`, the connection is given up; when nothing
    /// has come since `activity` for ``stallSeconds``, the web server is taken to wait for it.
    private(set) var drain: Drain?

    struct Drain: Equatable {
        var deadline: Double
        var activity: Double
    }

    /// How long a closing connection reads on for what the peer still sends, as libfcgi's close did.
    static let lingerSeconds = 2.0
    /// How long a kept connection reads the rest of an answered request's body before it gives up
    /// on the connection: nginx's `lingering_timeout`.
    static let drainSeconds = 5.0
    /// How long the rest of an answered request's body may pause before the web server is taken to
    /// be waiting for END_REQUEST. A web server that writes the body goes on at the socket's pace,
    /// far faster; h2o, which must not see END_REQUEST while it writes, buffers bodies whole.
    static let stallSeconds = 0.1

    var isClosed: Bool { phase == .closed }
    var isLingering: Bool {
        if case .lingering = phase { return true }
        return false
    }

    // MARK: - Events

    /// What a connection waits for while it reads requests: bytes, and the peer closing.
    static let reading: EventSet.Interest = [.readable, .edgeTriggered]

    /// A worker takes an event of the connection. Returns whether to handle it (not once closed,
    /// nor while another worker handles it: then the event is noted, see `eventWhileHandling`) and
    /// whether to read (not while paused, unless lingering: then everything is read and dropped).
    mutating func beginEvent() -> (handle: Bool, read: Bool) {
        guard !isClosed else { return (false, false) }
        if handling {
            eventWhileHandling = true
            return (false, false)
        }
        handling = true
        return (true, mayRead)
    }

    /// The worker is done with the event; ``settle(_:now:)`` comes next. When another event came
    /// meanwhile, the registration is forgotten, so that the settle registers the connection again.
    mutating func endEvent() {
        handling = false
        if eventWhileHandling {
            eventWhileHandling = false
            armed = nil
        }
    }

    /// Whether reading goes on: not while paused (a full body channel), unless lingering.
    var mayRead: Bool { !readPaused || isLingering }

    // MARK: - What comes next

    /// What the connection does once no worker handles it.
    struct Settlement: Equatable {
        /// Close the descriptor now.
        var close = false
        /// Half-close (`shutdown(SHUT_WR)`) and linger; the server's control loop keeps the deadline.
        var linger = false
        /// Register again in the event set for this.
        var arm: EventSet.Interest?
        /// The arming adds the descriptor to the event set: it is not in it yet.
        var add = false

        static let none = Settlement()
    }

    /// A connection's I/O life; `registered` says whether it is in the event set already, for
    /// ``reading``.
    init(registered: Bool = true) {
        self.registered = registered
        armed = registered ? ConnectionIO.reading : nil
    }

    /// What the connection is about, besides its own I/O: from its lock.
    struct Situation: Equatable {
        /// The protocol's phase.
        var protocolPhase: FastCGIConnectionState.Phase
        /// Nothing of a next request has arrived.
        var awaitingRequest: Bool
        /// No request has arrived on it yet.
        var fresh: Bool
        /// A request runs or waits for room on it.
        var busy: Bool
        /// Output waits to be written.
        var outputPending: Bool
    }

    /// Decides what comes next once no worker handles the connection: close it, linger, or arm it
    /// for what it waits for.
    mutating func settle(_ situation: Situation, now: @autoclosure () -> Double) -> Settlement {
        guard !isClosed, !handling else { return .none }
        var settlement = Settlement()
        if !situation.busy, !situation.outputPending, !isLingering {
            switch situation.protocolPhase {
            case .closing:
                // The web server did not keep the connection, and nothing of the request is unread.
                phase = .closed
                return Settlement(close: true)
            case .idle where closeWhenIdle && situation.awaitingRequest && !situation.fresh:
                phase = .closed
                return Settlement(close: true)
            case .draining(_, let keep, _) where !keep || closeWhenIdle:
                // Closing with body bytes still on their way: a plain close would reset the
                // connection, and nginx would answer 502 instead of the response it already has.
                // Half-close, and read on until the peer closes.
                phase = .lingering(until: now() + ConnectionIO.lingerSeconds)
                drain = nil
                settlement.linger = true
            default:
                break
            }
        }
        var interest: EventSet.Interest = [.edgeTriggered]
        if mayRead { interest.insert(.readable) }
        if situation.outputPending { interest.insert(.writable) }
        // Registered already for the same: nothing to do; the registration stays after its events,
        // so a kept connection's next request costs no system call here. Registered for something
        // else (reading, and now output waits too; or no longer writing): registered again.
        if armed != interest, interest != [.edgeTriggered] {
            armed = interest
            settlement.arm = interest
            settlement.add = !registered
            registered = true
        }
        return settlement
    }

    /// The descriptor is to be closed now, whatever the phase. Returns whether it was still open.
    mutating func close() -> Bool {
        guard !isClosed else { return false }
        phase = .closed
        drain = nil
        return true
    }

    // MARK: - Draining an answered body

    /// An early answer went out on a kept connection; its END_REQUEST waits for the body's end.
    mutating func beginDrain(now: Double) {
        drain = Drain(deadline: now + ConnectionIO.drainSeconds, activity: now)
    }

    /// Bytes arrived while draining.
    mutating func noteActivity(now: Double) {
        drain?.activity = now
    }

    /// The drained request has ended (its END_REQUEST went out), or the drain was given up.
    mutating func endDrain() { drain = nil }

    /// What a deadline asks of the connection, from the control loop.
    enum Expiry: Equatable {
        case none
        /// The drain's deadline passed: give up the connection (no END_REQUEST).
        case giveUpDrain
        /// The body stalled: the web server waits for END_REQUEST; send it now.
        case endStalledBody
        /// The linger's deadline passed: close.
        case close
    }

    /// Checks the connection's deadlines at `now`; `holdingEnd` says whether the protocol still
    /// holds back an END_REQUEST.
    mutating func expire(now: Double, holdingEnd: Bool) -> Expiry {
        guard !handling, !isClosed else { return .none }
        if let drain {
            if now > drain.deadline {
                self.drain = nil
                return .giveUpDrain
            }
            if holdingEnd && now - drain.activity > ConnectionIO.stallSeconds { return .endStalledBody }
            return .none
        }
        if case .lingering(let until) = phase, now > until {
            phase = .closed
            return .close
        }
        return .none
    }
}
