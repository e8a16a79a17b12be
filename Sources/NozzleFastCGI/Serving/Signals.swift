import CNozzleSystem
#if canImport(Glibc)
import Glibc
#endif

/// Signals arrive through a signalfd that the control loop watches, not through handlers: blocked in
/// every thread before any starts, so no read or write anywhere is interrupted by one.
enum Signals {
    static let handled: [Int32] = [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2]

    /// Blocks the handled signals in this thread (and every thread it starts), ignores SIGPIPE, and
    /// returns a signalfd that reports them.
    static func takeOver(including extra: [Int32] = []) -> Int32 {
        var mask = block(including: extra)
        return signalfd(-1, &mask, Int32(SFD_CLOEXEC | SFD_NONBLOCK))
    }

    /// Blocks the handled signals in this thread, and ignores SIGPIPE. Done before the app's start-up
    /// work, so that threads it starts (a database client's event loops, say) inherit the mask: a
    /// signal left unblocked in any thread may be delivered there, and never reach the signalfd.
    @discardableResult
    static func block(including extra: [Int32] = []) -> sigset_t {
        signal(SIGPIPE, SIG_IGN)
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in handled + extra { sigaddset(&mask, signal) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        return mask
    }

    /// The signals waiting on `fd`.
    static func read(_ fd: Int32) -> [Int32] {
        var signals: [Int32] = []
        var info = signalfd_siginfo()
        while Glibc.read(fd, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            signals.append(Int32(info.ssi_signo))
        }
        return signals
    }

    static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGQUIT: "SIGQUIT"
        case SIGHUP: "SIGHUP"
        case SIGUSR1: "SIGUSR1"
        case SIGUSR2: "SIGUSR2"
        default: "signal \(signal)"
        }
    }
}
