import CNozzleSystem
import DequeModule
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The threads that run code: `--workers` of them. They share the server's event set, so each
/// thread either runs a job of some request's task or handles one event on a connection, and a
/// request that awaits holds none of them.
///
/// At most one thread per core waits in the event set at once (``EventSetSeats``); the others rest
/// until every waiting one has been held by long-running code for a look of the control loop. More
/// waiting threads than cores would only make the kernel wake a sleeping thread for most events.
///
/// Jobs come in two ways. A request that a worker has just read starts on that worker at once,
/// with no hand-over (``RequestExecutor`` puts its first job in the worker's own slot). Everything
/// else (a task resumed after `Task.sleep`, an awaited database reply, a body chunk that arrived)
/// goes into one shared queue, and a bell in the event set wakes one idle worker per job.
// Unchecked: `restingThreads` is a POSIX semaphore, made in `init` and thread-safe by its own
// contract (the standard library has no semaphore); everything else is a lock or an atomic.
final class WorkerPool: @unchecked Sendable {
    /// What one thread is doing, for the status page, the scoreboard and the watchdog.
    struct Slot {
        /// When the job it runs now started, on the monotonic clock; nil when it waits.
        var since: Double?
        /// The request that job belongs to.
        var executor: RequestExecutor?
    }

    /// One thread's slot, under its own lock: a thread takes only its own, so threads never wait
    /// for each other to say what they run.
    private final class SlotBox: Sendable {
        let slot = Mutex(Slot())
        /// The thread's `pthread_t`, for taking its stack.
        let threadID = Atomic<UInt>(0)
    }

    let size: Int
    /// Rung when the shared queue has jobs; registered one-shot in the event set.
    let bell = Bell()
    private let queue = Mutex((jobs: Deque<(UnownedJob, RequestExecutor)>(), rung: false))
    private let slots: [SlotBox]
    private let running = Atomic(0)
    /// Which threads wait in the event set; the others rest on `restingThreads`.
    private let seats: Mutex<EventSetSeats>
    private let restingThreads: UnsafeMutablePointer<sem_t>
    /// Where each thread records the request it serves, under a supervisor.
    let scoreboard: Scoreboard?

    /// - Parameter seats: how many threads wait in the event set at once: one per core.
    init(size: Int, seats: Int, scoreboard: Scoreboard?) {
        self.size = size
        self.scoreboard = scoreboard
        slots = (0..<size).map { _ in SlotBox() }
        self.seats = Mutex(EventSetSeats(seats: min(size, seats)))
        mayRest = seats < size
        restingThreads = .allocate(capacity: 1)
        sem_init(restingThreads, 0, 0)
    }

    deinit {
        sem_destroy(restingThreads)
        restingThreads.deallocate()
    }

    /// Returns when this thread may wait in the event set: at once if a seat is free, otherwise
    /// after resting until the control loop or the end wakes it.
    func takeSeat() {
        while seats.withLock({ $0.arrive() }) == .rest {
            while sem_wait(restingThreads) != 0 && errno == EINTR {}
        }
    }

    /// This thread got an event and leaves the event set to handle it.
    func leaveSeat() {
        seats.withLock { $0.depart() }
    }

    /// The control loop's look at the seats: wakes a resting thread when every seated one has been
    /// busy since the last look. Returns whether to look again soon.
    func lookAtSeats() -> Bool {
        let look = seats.withLock { $0.look() }
        if look.wakeOne { sem_post(restingThreads) }
        return look.soon
    }

    /// Whether some threads may rest at all: more workers than seats.
    let mayRest: Bool

    /// The workers are leaving: wakes every resting thread, and none rests again.
    func wakeAllResting() {
        let count = seats.withLock { $0.leave() }
        for _ in 0..<count { sem_post(restingThreads) }
    }

    /// Adds a job to the shared queue and wakes a worker for it.
    func enqueue(_ job: UnownedJob, for executor: RequestExecutor) {
        let ring = queue.withLock { queue -> Bool in
            queue.jobs.append((job, executor))
            defer { queue.rung = true }
            return !queue.rung
        }
        if ring { bell.ring() }
    }

    /// Takes one job from the shared queue, after the bell woke this worker. Whether jobs are left
    /// decides how the caller re-arms the bell: left ringing, another worker wakes for the next.
    func takeJob() -> (UnownedJob, RequestExecutor)? {
        queue.withLock { queue in
            let job = queue.jobs.popFirst()
            if queue.jobs.isEmpty {
                bell.silence()
                queue.rung = false
            }
            return job
        }
    }

    /// Runs one job on this thread, recording what the thread does meanwhile.
    func run(_ job: UnownedJob, on executor: RequestExecutor, thread: Int) {
        let box = slots[thread]
        box.slot.withLock { $0 = Slot(since: System.now(), executor: executor) }
        running.add(1, ordering: .relaxed)
        if let scoreboard { scoreboard.serving(executor.label, thread: thread) }
        job.runSynchronously(on: executor.asUnownedTaskExecutor())
        scoreboard?.serving(nil, thread: thread)
        running.subtract(1, ordering: .relaxed)
        box.slot.withLock { $0 = Slot() }
    }

    /// How many threads run a job now.
    var busyThreads: Int { running.load(ordering: .relaxed) }

    /// Records the calling thread as worker `index`.
    func register(thread index: Int) { slots[index].threadID.store(UInt(pthread_self()), ordering: .releasing) }

    /// Worker `index`'s thread, once it has started.
    func threadID(_ index: Int) -> pthread_t? {
        let id = slots[index].threadID.load(ordering: .acquiring)
        return id == 0 ? nil : pthread_t(id)
    }

    /// What worker `index` runs now.
    func runningExecutor(_ index: Int) -> RequestExecutor? { slots[index].slot.withLock { $0.executor } }

    /// The requests running on a thread now, each with its thread's index.
    func runningRequests() -> [ObjectIdentifier: Int] {
        var running: [ObjectIdentifier: Int] = [:]
        for (index, box) in slots.enumerated() {
            if let executor = box.slot.withLock({ $0.executor }) { running[ObjectIdentifier(executor)] = index }
        }
        return running
    }

    /// The longest-running job, if any: for the watchdog.
    func longestJob(now: Double) -> (seconds: Double, label: String)? {
        slots.compactMap { box in
            box.slot.withLock { slot in slot.since.map { (now - $0, slot.executor?.label ?? "a task") } }
        }.max { $0.0 < $1.0 }
    }
}

/// The worker thread a piece of code runs on, found through thread-local storage.
///
/// - Important: Not Sendable, and needs no lock: only its own thread touches it. A worker sets
///   `startingInline` just before it creates a request's task and clears it just after; the
///   task's first job, enqueued during that call on that thread, lands in `inlineJobs` instead of
///   the shared queue, and the same worker runs it before it waits for another event. Any other job
///   of that request, or a first job enqueued from another thread, goes to the shared queue.
///   Exclusivity unchecked on its `var`s for the same reason: each access is a read, an assignment
///   or an append by its one thread, none of which can overlap another.
final class WorkerThread {
    let index: Int
    /// The request whose first job this thread takes itself, while it starts that request.
    @exclusivity(unchecked) var startingInline: RequestExecutor?
    /// Jobs this thread runs itself before it waits for anything else.
    @exclusivity(unchecked) var inlineJobs: [(UnownedJob, RequestExecutor)] = []

    init(index: Int) { self.index = index }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The worker thread running this code, or nil on any other thread.
    static var current: WorkerThread? {
        pthread_getspecific(key).map { Unmanaged<WorkerThread>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Makes this the current thread's worker; the caller keeps it alive for the thread's life.
    func install() { pthread_setspecific(WorkerThread.key, Unmanaged.passUnretained(self).toOpaque()) }
}
