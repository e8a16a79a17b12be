import CNozzleSystem
#if canImport(Glibc)
import Glibc
#endif

/// An epoll set, and the few kinds of descriptor the host waits on through it: sockets, eventfds
/// as wake-up bells, and a signalfd. Each registration carries a 64-bit tag, never a pointer.
///
/// The listening socket and the job bell are registered one-shot: an event disarms the descriptor
/// until it is armed again, so exactly one thread handles each event. Connections are registered
/// edge-triggered: an event comes when bytes arrive, and the registration stays, so a kept
/// connection's next request needs no system call to arm it again; a connection says which worker
/// handles it (``ConnectionIO``).
struct EventSet: ~Copyable {
    let fd: Int32

    /// What a descriptor is waited for.
    struct Interest: OptionSet {
        let rawValue: UInt32
        static let readable = Interest(rawValue: EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
        static let writable = Interest(rawValue: EPOLLOUT.rawValue)
        /// Disarmed after one event, until armed again.
        static let oneShot = Interest(rawValue: EPOLLONESHOT.rawValue)
        /// An event when something new happens (bytes arrive, room to write opens), not while it
        /// stays so: the registration stays until changed. Reading goes on until the socket is empty.
        static let edgeTriggered = Interest(rawValue: EPOLLET.rawValue)
    }

    /// One event: the registration's tag, and what happened.
    struct Event {
        var tag: UInt64
        var events: UInt32
        var isReadable: Bool { events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 }
        var isWritable: Bool { events & (EPOLLOUT.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 }
    }

    init() {
        fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(fd >= 0, "epoll_create1 failed: \(System.describe(errno))")
    }

    deinit { close(fd) }

    func add(_ descriptor: Int32, tag: UInt64, _ interest: Interest) {
        control(EPOLL_CTL_ADD, descriptor, tag: tag, interest)
    }

    /// Arms a one-shot registration again, or changes what a registration waits for. Either way the
    /// kernel looks at the descriptor at once: an event comes if it is ready for the new interest.
    func rearm(_ descriptor: Int32, tag: UInt64, _ interest: Interest) {
        control(EPOLL_CTL_MOD, descriptor, tag: tag, interest)
    }

    func remove(_ descriptor: Int32) {
        epoll_ctl(fd, EPOLL_CTL_DEL, descriptor, nil)
    }

    private func control(_ operation: Int32, _ descriptor: Int32, tag: UInt64, _ interest: Interest) {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = tag
        epoll_ctl(fd, operation, descriptor, &event)
    }

    /// Waits for events: at most `buffer.count`, for at most `milliseconds` (-1: no limit).
    func wait(into buffer: UnsafeMutableBufferPointer<epoll_event>, milliseconds: Int32) -> Int {
        let count = epoll_wait(fd, buffer.baseAddress, Int32(buffer.count), milliseconds)
        return max(0, Int(count))
    }

    /// Waits for one event, for at most `milliseconds`; nil on timeout or interruption.
    func waitOne(milliseconds: Int32 = -1) -> Event? {
        var event = epoll_event()
        guard epoll_wait(fd, &event, 1, milliseconds) == 1 else { return nil }
        return Event(tag: event.data.u64, events: event.events)
    }
}

/// An eventfd: a bell other threads ring to wake whoever waits on it in an ``EventSet``.
struct Bell: ~Copyable {
    let fd: Int32

    init() {
        fd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(fd >= 0, "eventfd failed: \(System.describe(errno))")
    }

    deinit { close(fd) }

    func ring() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// Clears the rings so far.
    func silence() {
        var count: UInt64 = 0
        _ = read(fd, &count, 8)
    }
}
