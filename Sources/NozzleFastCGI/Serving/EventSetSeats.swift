/// Which worker threads wait in the event set, as a value: events in, decisions out, no I/O.
///
/// Every thread waiting in `epoll_wait` is a thread the kernel wakes for the next event, and with
/// more waiting threads than cores, most requests cost a sleep and a wake-up. So at most `seats`
/// threads (one per core) wait there; the others rest. A resting thread is woken only when no
/// thread has come back to the event set for a whole look of the control loop (2 ms while threads
/// are busy, 20 ms after a quiet look): every seated thread is running code that takes long, a
/// CPU-heavy or blocking handler, and a rested one takes over so that waiting requests still
/// resume and new ones still start.
struct EventSetSeats {
    let seats: Int
    /// Threads waiting in the event set now.
    private(set) var seated = 0
    /// Threads resting until woken.
    private(set) var resting = 0
    /// Every time a thread took a seat; the control loop compares it between looks.
    private var arrivals = 0
    private var arrivalsAtLastLook = 0
    private var leaving = false

    enum Arrival: Equatable {
        /// Wait in the event set.
        case wait
        /// Rest until woken, then arrive again.
        case rest
    }

    /// What the control loop does after a look.
    struct Look: Equatable {
        /// Wake one resting thread.
        var wakeOne: Bool
        /// Look again soon: threads are busy, or were since the last look.
        var soon: Bool
    }

    init(seats: Int) {
        self.seats = max(1, seats)
    }

    /// A thread is ready for its next event.
    mutating func arrive() -> Arrival {
        guard seated < seats || leaving else {
            resting += 1
            return .rest
        }
        seated += 1
        arrivals &+= 1
        return .wait
    }

    /// A seated thread got an event, and goes to handle it.
    mutating func depart() {
        seated -= 1
    }

    /// The control loop's periodic look. A thread is woken when none is seated, some rest, and no
    /// thread arrived since the last look: the seated ones have all been busy at least that long.
    mutating func look() -> Look {
        defer { arrivalsAtLastLook = arrivals }
        let stuck = seated == 0 && resting > 0 && arrivals == arrivalsAtLastLook
        if stuck { resting -= 1 }
        return Look(wakeOne: stuck, soon: seated == 0 || arrivals != arrivalsAtLastLook)
    }

    /// The workers are leaving: no thread rests any more. Returns how many to wake.
    mutating func leave() -> Int {
        leaving = true
        defer { resting = 0 }
        return resting
    }
}
