import Logging
import CNozzleSystem
#if canImport(Glibc)
import Glibc
#endif

/// Runs the app as a pool of worker processes that share one listening socket.
///
/// A Swift trap (a `fatalError`, a force-unwrap of nil, an index out of range) ends the whole process,
/// so crash isolation needs processes. The supervisor holds the socket, starts `--processes` workers,
/// forwards their stderr, and replaces any that exit: at once at first, then, when many crash in a
/// short time, more slowly and loudly, but never giving up.
///
/// - SIGTERM, SIGINT, SIGQUIT: every worker stops gracefully; the supervisor exits 0 when all have.
/// - SIGHUP: new workers start from the executable now on disk; once they serve, the old ones
///   retire gracefully. The socket never closes, so a deploy drops nothing.
final class Supervisor {
    let options: ServeOptions
    /// How many worker processes the pool keeps: `--processes`.
    let processes: Int
    let listenFD: Int32
    let ownedSocketPath: String?
    let executable: String
    let workerArguments: [String]
    let workerEnvironment: [String: String]
    let signalFD: Int32
    /// The signalfd, the workers' stderr pipes and their readiness pipes.
    let events = EventSet()
    /// The read end goes to every worker; only this process holds the write end, and never writes.
    let lifeline: (read: Int32, write: Int32)
    /// What each worker thread is serving, to name the routes a crash interrupted.
    let scoreboard: (board: Scoreboard, fd: Int32)?
    /// The rate-limit counts every worker shares, kept across reloads; see ``SharedRateLimitTable``.
    let rateLimitTable: (table: SharedRateLimitTable, fd: Int32)?
    /// Where the workers show each other their requests in flight, with `--status-path`; see ``StatusPeers``.
    let statusDirectory: String?

    private var workers: [pid_t: WorkerProcess] = [:]
    private var pipes: [Int32: (pid: pid_t, slot: Int, pending: [UInt8])] = [:]
    /// Each worker's readiness pipe, until its byte arrives.
    private var readyPipes: [Int32: pid_t] = [:]
    private var ready = Set<pid_t>()
    /// When each slot's worker crashed, until its replacement serves.
    private var crashedAt: [Int: Double] = [:]
    private var pendingStarts: [(at: Double, slot: Int)] = []
    private var policy = RestartPolicy()
    private var generation = 1
    /// The generation being replaced by a reload, and when to give up waiting for its successor.
    private var reload: (old: Int, deadline: Double)?
    private var stopDeadline: Double?

    static let signalTag: UInt64 = UInt64.max

    init(options: ServeOptions, listenFD: Int32, ownedSocketPath: String?, arguments: [String], environment: [String: String], routeCount: Int) {
        self.options = options
        self.processes = options.processes ?? 1
        self.listenFD = listenFD
        self.ownedSocketPath = ownedSocketPath
        self.executable = Supervisor.executablePath()
        self.workerArguments = ServeOptions.workerArguments(from: arguments)
        var environment = environment
        for name in ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"] { environment[name] = nil }
        environment["NOZZLE_POOL_STARTED"] = String(time(nil))
        statusDirectory = options.statusPath == nil ? nil : StatusPeers.makeDirectory(environment: environment)
        environment[StatusPeers.environmentName] = statusDirectory
        self.workerEnvironment = environment
        var ends: [Int32] = [0, 0]
        _ = nozzle_pipe_cloexec(&ends)
        self.lifeline = (ends[0], ends[1])
        // Two regions per slot: during a reload, old and new workers of a slot run side by side.
        // Room for routes a reloaded build may add.
        let routeCapacity = max(64, 2 * (routeCount + 1))
        self.scoreboard = Scoreboard.create(regions: 2 * processes, threads: options.workers, routeCapacity: routeCapacity)
            .map { ($0.0, $0.1) }
        self.rateLimitTable = SharedRateLimitTable.create().map { ($0.0, $0.1) }
        self.signalFD = Signals.takeOver(including: [SIGCHLD])
        events.add(signalFD, tag: Supervisor.signalTag, .readable)
    }

    /// The path of this executable, resolved now: after a deploy replaces the file, SIGHUP starts
    /// the new one from the same path.
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func log(_ message: String, level: Logger.Level = .info) { System.log("nozzle supervisor: \(message)", level: level) }

    /// Supervises until stopped; returns the exit status.
    func run() -> Int32 {
        log("pid \(getpid()) starting \(processes) worker processes of \(executable)")
        for slot in 1...processes { start(slot: slot) }
        let ready = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: 32)
        defer { ready.deallocate() }
        while true {
            let count = events.wait(into: ready, milliseconds: nextTimeout())
            for index in 0..<count {
                let tag = ready[index].data.u64
                if tag == Supervisor.signalTag {
                    for signal in Signals.read(signalFD) { handle(signal) }
                } else if let pid = readyPipes[Int32(truncatingIfNeeded: tag)] {
                    markReady(pid: pid, pipe: Int32(truncatingIfNeeded: tag))
                } else {
                    forward(pipe: Int32(truncatingIfNeeded: tag))
                }
            }
            reap()
            let now = System.now()
            let due = pendingStarts.filter { $0.at <= now }
            pendingStarts.removeAll { $0.at <= now }
            for start in due where stopDeadline == nil { self.start(slot: start.slot) }
            checkReload(now: now)
            if let stopDeadline {
                if workers.isEmpty { break }
                if now > stopDeadline {
                    log("shutdown timeout passed; killing \(workers.count) workers")
                    for pid in workers.keys { kill(pid, SIGKILL) }
                    self.stopDeadline = now + 5
                }
            }
        }
        if let ownedSocketPath { unlink(ownedSocketPath) }
        if let statusDirectory { StatusPeers.removeDirectory(statusDirectory) }
        log("stopped")
        return 0
    }

    private func nextTimeout() -> Int32 {
        var deadline = pendingStarts.map(\.at).min()
        if reload != nil || stopDeadline != nil { deadline = min(deadline ?? .infinity, System.now() + 0.05) }
        guard let deadline else { return -1 }
        return Int32(max(0, min(1000, (deadline - System.now()) * 1000)))
    }

    private func handle(_ signal: Int32) {
        switch signal {
        case SIGTERM, SIGINT, SIGQUIT:
            guard stopDeadline == nil else { return }
            log("\(Signals.name(signal)): stopping \(workers.count) workers gracefully")
            stopDeadline = System.now() + options.shutdownTimeout + 2
            pendingStarts.removeAll()
            for pid in workers.keys { kill(pid, SIGTERM) }
            close(listenFD)
        case SIGHUP:
            guard stopDeadline == nil, reload == nil else { return }
            let old = generation
            generation += 1
            log("SIGHUP: starting \(processes) new workers from \(executable); the old ones retire once they serve")
            reload = (old, System.now() + 10)
            for slot in 1...processes { start(slot: slot) }
        case SIGCHLD:
            break
        case SIGUSR1:
            LogOutput.shared.reopen()
        default:
            log("\(Signals.name(signal)) received; ignored", level: .notice)
        }
    }

    /// Retires the old generation once every new worker is serving; gives the reload up if they are not.
    private func checkReload(now: Double) {
        guard let reload else { return }
        let fresh = workers.values.filter { $0.generation == generation }
        if fresh.count == processes && fresh.allSatisfy({ ready.contains($0.pid) }) {
            for (pid, worker) in workers where worker.generation == reload.old {
                workers[pid]?.retiring = true
                kill(pid, SIGTERM)
            }
            log("reload: new workers serving; old workers retiring")
            self.reload = nil
        } else if now > reload.deadline {
            log("reload failed: the new workers did not start serving; keeping the old ones")
            for (pid, worker) in workers where worker.generation == generation {
                workers[pid]?.retiring = true
                kill(pid, SIGTERM)
            }
            generation = reload.old
            self.reload = nil
        }
    }

    private func start(slot: Int) {
        var environment = workerEnvironment
        environment["NOZZLE_LIFELINE"] = String(WorkerProcess.lifelineFD)
        environment["NOZZLE_READY_FD"] = String(WorkerProcess.readyFD)
        if scoreboard != nil { environment["NOZZLE_SCOREBOARD"] = String(region(slot: slot, generation: generation)) }
        if rateLimitTable != nil { environment[SharedRateLimitTable.environmentName] = String(SharedRateLimitTable.fd) }
        do {
            let worker = try WorkerProcess.spawn(
                executable: executable, arguments: workerArguments, environment: environment,
                listenFD: listenFD, lifeline: lifeline.read, scoreboard: scoreboard?.fd, rateLimitTable: rateLimitTable?.fd, slot: slot, generation: generation)
            workers[worker.pid] = worker
            pipes[worker.stderr] = (worker.pid, slot, [])
            for fd in [worker.stderr, worker.ready] { events.add(fd, tag: UInt64(UInt32(bitPattern: fd)), .readable) }
            readyPipes[worker.ready] = worker.pid
        } catch {
            log("\(error); retrying in 1 s")
            pendingStarts.append((System.now() + 1, slot))
        }
    }

    /// Copies a worker's stderr to ours, a whole line at a time, each line naming the worker.
    private func forward(pipe fd: Int32) {
        guard var entry = pipes[fd] else { return }
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var ended = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                entry.pending += buffer[0..<count]
                continue
            }
            ended = count == 0 || (errno != EAGAIN && errno != EINTR)
            break
        }
        while let newline = entry.pending.firstIndex(of: 10) {
            let line = String(decoding: entry.pending[..<newline], as: UTF8.self)
            entry.pending.removeSubrange(...newline)
            forwardLine(line, slot: entry.slot, pid: entry.pid)
        }
        if ended {
            if !entry.pending.isEmpty { forwardLine(String(decoding: entry.pending, as: UTF8.self), slot: entry.slot, pid: entry.pid) }
            events.remove(fd)
            close(fd)
            pipes[fd] = nil
        } else {
            pipes[fd] = entry
        }
    }

    /// A worker wrote its byte, or closed its readiness pipe by exiting.
    private func markReady(pid: pid_t, pipe fd: Int32) {
        var byte: UInt8 = 0
        let count = read(fd, &byte, 1)
        events.remove(fd)
        close(fd)
        readyPipes[fd] = nil
        guard count == 1, let worker = workers[pid] else { return }
        ready.insert(pid)
        if let crashed = crashedAt.removeValue(forKey: worker.slot) {
            log("worker \(worker.slot) is back, pid \(pid), \(Int((System.now() - crashed) * 1000)) ms after the crash")
        }
    }

    private func region(slot: Int, generation: Int) -> Int { (slot - 1) + (generation % 2) * processes }

    /// Writes a worker's line to the log with the worker's slot and pid: added to the worker's own
    /// logfmt or JSON line, or around anything else it printed, such as a crash backtrace.
    private func forwardLine(_ line: String, slot: Int, pid: pid_t) {
        let format = LogOutput.shared.format
        if format == .logfmt, line.hasPrefix("time=") {
            LogOutput.shared.write("\(line) worker=\(slot) worker_pid=\(pid)")
        } else if format == .json, line.hasPrefix("{"), line.hasSuffix("}") {
            LogOutput.shared.write("{\"worker\":\(slot),\"worker_pid\":\(pid),\(line.dropFirst())")
        } else {
            LogOutput.shared.log(.info, line, metadata: [("worker", String(slot)), ("worker_pid", String(pid))])
        }
    }

    /// Collects exited workers, and replaces the ones that were not asked to stop.
    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            ready.remove(pid)
            if let statusDirectory { unlink("\(statusDirectory)/\(pid)") }
            guard let worker = workers.removeValue(forKey: pid) else { continue }
            forward(pipe: worker.stderr)
            let lifetime = String(format1: System.now() - worker.started)
            if stopDeadline != nil || worker.retiring {
                log("worker \(worker.slot) pid \(pid) \(Signals.describeExit(status))")
                continue
            }
            if status == 0 {
                log("worker \(worker.slot) pid \(pid) recycled after \(lifetime) s; starting its replacement")
                start(slot: worker.slot)
                continue
            }
            crashedAt[worker.slot] = System.now()
            let (delay, engaged) = policy.crashed(at: System.now())
            let region = region(slot: worker.slot, generation: worker.generation)
            let interrupted = scoreboard?.board.takeRequests(region: region) ?? []
            let serving = interrupted.isEmpty ? "" : " while running \(interrupted.joined(separator: ", "))"
            let lost = scoreboard.map { " (\($0.board.inFlight(region: region)) in flight)" } ?? ""
            log("worker \(worker.slot) pid \(pid) \(Signals.describeExit(status)) after \(lifetime) s\(serving); the requests it had in flight\(lost) failed", level: .error)
            if engaged {
                log("EMERGENCY: more than \(policy.threshold) workers crashed within \(Int(policy.window)) s; slowing restarts down", level: .critical)
            }
            if delay == 0 {
                start(slot: worker.slot)
            } else {
                log("restarting worker \(worker.slot) in \(String(format1: delay)) s")
                pendingStarts.append((System.now() + delay, worker.slot))
            }
        }
    }
}

extension String {
    /// A number with one decimal.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
