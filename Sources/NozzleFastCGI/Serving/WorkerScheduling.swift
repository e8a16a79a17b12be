import CNozzleSystem

/// How the kernel schedules the worker threads: `--scheduling`.
///
/// Behind a web server on the same machine, every request wakes a worker thread, and under Linux's
/// default policy the woken thread preempts whatever runs on its core, most often the web server
/// itself, in the middle of handing out the other requests. nginx, with one worker process, then
/// spends its time preempted, takes its events in large late bursts, and past its `keepalive`
/// connections opens and closes a connection for many of them. `SCHED_BATCH` threads run on an idle
/// core at once as before, and otherwise wait for the running task's slice instead of cutting it
/// short; they get the same share of the CPU. Measured behind nginx with 64 connections: GET
/// hello 1.3 to 1.45 times the requests a second, with a lower p99, in rounds of the anchors'
/// script; the project's own benchmark showed GET unchanged and POST 1.15 times (the README's
/// performance section has the figures).
enum WorkerScheduling: String, Sendable {
    /// `SCHED_BATCH`: no preemption on wake-up. The default.
    case batch
    /// The process's own policy, as inherited.
    case normal

    /// Applies the policy to the calling thread. Returns why it could not, if it could not; the
    /// thread then keeps its policy, and serving goes on.
    func applyToCurrentThread() -> String? {
        guard self == .batch else { return nil }
        let code = nozzle_thread_schedule_batch()
        return code == 0 ? nil : System.describe(code)
    }
}
