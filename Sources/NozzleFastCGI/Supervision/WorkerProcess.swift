import CNozzleSystem
#if canImport(Glibc)
import Glibc
#endif

/// A worker process: the app's own executable, started with the listening socket as fd 0 (the
/// spawn-fcgi contract the host already serves) and its stderr on a pipe the supervisor reads.
struct WorkerProcess {
    let pid: pid_t
    /// The read end of the worker's stderr.
    let stderr: Int32
    /// The read end of the pipe on which the worker writes one byte once it serves.
    let ready: Int32
    /// Which slot of the pool it fills, from 1.
    let slot: Int
    let generation: Int
    let started: Double
    /// Set once the supervisor asked it to stop: its exit is expected.
    var retiring = false

    /// Where a worker finds its lifeline, named by `NOZZLE_LIFELINE` in its environment.
    static let lifelineFD: Int32 = 3
    /// Where a worker finds its end of the readiness pipe, named by `NOZZLE_READY_FD`.
    static let readyFD: Int32 = 5

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `executable` with `arguments`; signals are unblocked and SIGPIPE is back to default in the
    /// child, since the supervisor blocks them for its signalfd.
    static func spawn(
        executable: String, arguments: [String], environment: [String: String], listenFD: Int32, lifeline: Int32,
        scoreboard: Int32?, rateLimitTable: Int32?, slot: Int, generation: Int
    ) throws(SpawnError) -> WorkerProcess {
        var pipeFDs: [Int32] = [0, 0]
        guard nozzle_pipe_cloexec(&pipeFDs) == 0 else { throw SpawnError(description: "pipe: \(System.describe(errno))") }
        var readyFDs: [Int32] = [0, 0]
        guard nozzle_pipe_cloexec(&readyFDs) == 0 else {
            close(pipeFDs[0])
            close(pipeFDs[1])
            throw SpawnError(description: "pipe: \(System.describe(errno))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, listenFD, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        // fd 3 reads EOF when the supervisor is gone, however it ended; see FastCGIServer.
        posix_spawn_file_actions_adddup2(&actions, lifeline, WorkerProcess.lifelineFD)
        if let scoreboard { posix_spawn_file_actions_adddup2(&actions, scoreboard, Scoreboard.fd) }
        if let rateLimitTable { posix_spawn_file_actions_adddup2(&actions, rateLimitTable, SharedRateLimitTable.fd) }
        // fd 5: one byte once the worker serves; the supervisor waits for it before a reload retires
        // the old workers.
        posix_spawn_file_actions_adddup2(&actions, readyFDs[1], WorkerProcess.readyFD)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(pipeFDs[1])
        close(readyFDs[1])
        guard result == 0 else {
            close(pipeFDs[0])
            close(readyFDs[0])
            throw SpawnError(description: "cannot start \(executable): \(System.describe(result))")
        }
        _ = fcntl(pipeFDs[0], F_SETFL, fcntl(pipeFDs[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(readyFDs[0], F_SETFL, fcntl(readyFDs[0], F_GETFL) | O_NONBLOCK)
        return WorkerProcess(pid: pid, stderr: pipeFDs[0], ready: readyFDs[0], slot: slot, generation: generation, started: System.now())
    }
}

extension Signals {
    /// How a child's exit status reads in a log line.
    static func describeExit(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "exited with status \((status >> 8) & 0xFF)" }
        return "killed by \(fullName(signal))"
    }

    static func fullName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: "SIGSEGV (signal 11)"
        case SIGILL: "SIGILL (signal 4), a Swift trap"
        case SIGTRAP: "SIGTRAP (signal 5), a Swift trap"
        case SIGABRT: "SIGABRT (signal 6)"
        case SIGBUS: "SIGBUS (signal 7)"
        case SIGKILL: "SIGKILL (signal 9)"
        case SIGTERM: "SIGTERM (signal 15)"
        default: "signal \(signal)"
        }
    }
}
