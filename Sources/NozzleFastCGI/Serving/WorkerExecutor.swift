#if canImport(Glibc)
import Glibc
#endif

/// A task executor bound to one worker thread.
///
/// A request's task prefers this executor, so its jobs run on the thread that owns the request's
/// libfcgi streams, with no hop to another thread when the handler does not suspend. While the
/// worker waits for the next request, jobs that arrive (a task the handler left running) go to the
/// global executor instead of waiting here.
final class WorkerExecutor: TaskExecutor, @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var jobs: [UnownedJob] = []
    private var running = false
    private var done = false

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        jobs.reserveCapacity(16)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pthread_mutex_lock(&mutex)
        if running {
            jobs.append(job)
            pthread_cond_signal(&condition)
            pthread_mutex_unlock(&mutex)
        } else {
            pthread_mutex_unlock(&mutex)
            globalConcurrentExecutor.enqueue(job)
        }
    }

    /// Runs `operation` as a task on this thread, returning when it has finished.
    func run(_ operation: sending @escaping @isolated(any) () async -> Void) {
        pthread_mutex_lock(&mutex)
        running = true
        done = false
        pthread_mutex_unlock(&mutex)
        Task(executorPreference: self) {
            await operation()
            self.complete()
        }
        let executor = asUnownedTaskExecutor()
        var batch: [UnownedJob] = []
        batch.reserveCapacity(16)
        while true {
            pthread_mutex_lock(&mutex)
            while jobs.isEmpty && !done { pthread_cond_wait(&condition, &mutex) }
            if jobs.isEmpty && done {
                running = false
                pthread_mutex_unlock(&mutex)
                return
            }
            swap(&batch, &jobs)
            pthread_mutex_unlock(&mutex)
            for job in batch { job.runSynchronously(on: executor) }
            batch.removeAll(keepingCapacity: true)
        }
    }

    private func complete() {
        pthread_mutex_lock(&mutex)
        done = true
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }
}
