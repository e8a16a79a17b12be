import DequeModule
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs one piece of async work to its end on the calling thread: for CGI and `call`, which answer
/// a single request and then exit. Jobs that arrive from other threads (after `Task.sleep`, say)
/// are run here too.
final class CurrentThreadExecutor: TaskExecutor, Sendable {
    private let state = Mutex((jobs: Deque<UnownedJob>(), done: false))
    private let bell = Bell()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        state.withLock { $0.jobs.append(job) }
        bell.ring()
    }

    /// Runs `work` as a task on this thread, returning when it has finished.
    static func run(_ work: sending @escaping @isolated(any) () async -> Void) {
        let executor = CurrentThreadExecutor()
        Task(executorPreference: executor) {
            await work()
            executor.state.withLock { $0.done = true }
            executor.bell.ring()
        }
        executor.drain()
    }

    private func drain() {
        var poller = pollfd(fd: bell.fd, events: Int16(POLLIN), revents: 0)
        while true {
            let (job, done) = state.withLock { ($0.jobs.popFirst(), $0.done) }
            if let job {
                job.runSynchronously(on: asUnownedTaskExecutor())
                continue
            }
            if done { return }
            _ = poll(&poller, 1, -1)
            bell.silence()
        }
    }
}

/// Log lines to the process's log (stderr, or `--log-file`).
struct StderrLogWriter: LogWriter {
    func write(_ line: String) { LogOutput.shared.write(line) }
}
