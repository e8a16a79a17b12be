import CNozzleSystem
#if canImport(Glibc)
import Glibc
#endif

/// Shared memory that the supervisor hands to its workers as fd 4, one region per worker process.
///
/// In its region a worker records, per thread, the request it is serving (so that when it dies the
/// supervisor can say which routes were running), and counts its requests: accepted, slow, the most
/// active at once, and per route the count, the 5xx errors and a latency histogram. The status page
/// of any worker sums every region built from the same route table, which gives the pool's figures.
/// Reads are best effort: a diagnostic, never used for control.
// Unchecked: `base` points into memory shared between processes; each process writes only its own
// region, with atomic stores, and reads are best effort (a diagnostic, never used for control).
final class Scoreboard: @unchecked Sendable {
    static let fd: Int32 = 4
    static let entrySize = 128
    static let headerWords = 13
    static let globalWords = 8

    let base: UnsafeMutablePointer<UInt8>
    let size: Int
    let regions: Int
    let threads: Int
    let routeCapacity: Int
    /// Where this process writes, for a worker; nil in the supervisor.
    let region: Int?

    private init(base: UnsafeMutablePointer<UInt8>, size: Int, region: Int?) {
        self.base = base
        self.size = size
        let global = UnsafeMutableRawPointer(base).assumingMemoryBound(to: Int.self)
        regions = global[0]
        threads = global[1]
        routeCapacity = global[2]
        self.region = region
    }

    static func regionBytes(threads: Int, routeCapacity: Int) -> Int {
        threads * entrySize + headerWords * 8 + routeCapacity * (2 + LatencyHistogram.bucketCount) * 8
    }

    /// The supervisor's scoreboard and its fd.
    static func create(regions: Int, threads: Int, routeCapacity: Int) -> (Scoreboard, Int32)? {
        let size = globalWords * 8 + regions * regionBytes(threads: threads, routeCapacity: routeCapacity)
        let fd = nozzle_memfd("nozzle-scoreboard")
        guard fd >= 0, ftruncate(fd, off_t(size)) == 0, let base = map(fd, size: size) else { return nil }
        let global = UnsafeMutableRawPointer(base).assumingMemoryBound(to: Int.self)
        global[0] = regions
        global[1] = threads
        global[2] = routeCapacity
        return (Scoreboard(base: base, size: size, region: nil), fd)
    }

    /// A worker's view, when `NOZZLE_SCOREBOARD` names its region; it takes the region over.
    static func attach(environment: [String: String], routeHash: Int) -> Scoreboard? {
        guard let region = environment["NOZZLE_SCOREBOARD"].flatMap({ Int($0) }) else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, let base = map(fd, size: Int(info.st_size)) else { return nil }
        let board = Scoreboard(base: base, size: Int(info.st_size), region: region)
        // A supervisor of another build may lay its regions out otherwise (a reload that swaps the
        // binary keeps the old supervisor): then this worker keeps its figures to itself rather
        // than write where the supervisor did not size for it.
        let expected = globalWords * 8 + board.regions * regionBytes(threads: board.threads, routeCapacity: board.routeCapacity)
        guard region < board.regions, expected == board.size else { return nil }
        let header = board.header(region)
        // Counts carry over to a replacement running the same routes; a new build starts from zero.
        if nozzle_load(header + 1) != routeHash {
            for word in 2..<headerWords { nozzle_store(header + word, 0) }
            let counters = board.routeCounters(region)
            for index in 0..<(board.routeCapacity * (2 + LatencyHistogram.bucketCount)) { nozzle_store(counters + index, 0) }
            nozzle_store(header + 1, routeHash)
        }
        nozzle_store(header, Int(getpid()))
        return board
    }

    private static func map(_ fd: Int32, size: Int) -> UnsafeMutablePointer<UInt8>? {
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let address, address != MAP_FAILED else { return nil }
        return address.assumingMemoryBound(to: UInt8.self)
    }

    private func regionBase(_ region: Int) -> UnsafeMutablePointer<UInt8> {
        base + Scoreboard.globalWords * 8 + region * Scoreboard.regionBytes(threads: threads, routeCapacity: routeCapacity)
    }

    private func entry(region: Int, thread: Int) -> UnsafeMutablePointer<UInt8> {
        regionBase(region) + thread * Scoreboard.entrySize
    }

    /// pid, route table hash, accepted, slow, most active, in flight, most in flight, --max-in-flight,
    /// queued; then the after-response work running, waiting, completed and failed.
    private func header(_ region: Int) -> UnsafeMutablePointer<Int> {
        UnsafeMutableRawPointer(regionBase(region) + threads * Scoreboard.entrySize).assumingMemoryBound(to: Int.self)
    }

    /// Per route: count, errors, then the histogram's buckets.
    private func routeCounters(_ region: Int) -> UnsafeMutablePointer<Int> {
        header(region) + Scoreboard.headerWords
    }

    // MARK: - Writing, in a worker

    /// Records that worker thread `thread` is serving `request` (`GET /api/x`); nil clears it.
    func serving(_ request: String?, thread: Int) {
        guard let region, thread < threads else { return }
        let entry = entry(region: region, thread: thread)
        guard let request else {
            nozzle_store_release(entry, 0)
            return
        }
        var text = request
        text.withUTF8 { bytes in
            let count = min(bytes.count, Scoreboard.entrySize - 2)
            (entry + 1).update(from: bytes.baseAddress!, count: count)
            entry[1 + count] = 0
        }
        nozzle_store_release(entry, 1)
    }

    /// Counts one finished request.
    func record(route: Int, isError: Bool, seconds: Double, active: Int) {
        guard let region else { return }
        let header = header(region)
        nozzle_add(header + 2, 1)
        if seconds > ProcessStatus.slowThreshold { nozzle_add(header + 3, 1) }
        nozzle_max(header + 4, active)
        guard route < routeCapacity else { return }
        let counters = routeCounters(region) + route * (2 + LatencyHistogram.bucketCount)
        nozzle_add(counters, 1)
        if isError { nozzle_add(counters + 1, 1) }
        nozzle_add(counters + 2 + LatencyHistogram.bucket(for: seconds), 1)
    }

    /// Records this process's requests in flight now, the most at once, and its limit.
    func inFlight(_ count: Int, queued: Int, most: Int, limit: Int) {
        guard let region else { return }
        let header = header(region)
        nozzle_store(header + 5, count)
        nozzle_store(header + 8, queued)
        nozzle_max(header + 6, most)
        nozzle_store(header + 7, limit)
    }

    /// Records this process's after-response work.
    func afterResponse(_ figures: AfterResponseWork.Figures) {
        guard let region else { return }
        let header = header(region)
        nozzle_store(header + 9, figures.running)
        nozzle_store(header + 10, figures.waiting)
        nozzle_store(header + 11, figures.completed)
        nozzle_store(header + 12, figures.failed)
    }

    /// The requests in flight in `region` when its process last counted: what a crash lost.
    func inFlight(region: Int) -> Int {
        guard region < regions else { return 0 }
        return nozzle_load(header(region) + 5)
    }

    // MARK: - Reading

    /// What the threads of `region` were serving, for the supervisor, and clears them.
    func takeRequests(region: Int) -> [String] {
        guard region < regions else { return [] }
        var requests: [String] = []
        for thread in 0..<threads {
            let entry = entry(region: region, thread: thread)
            guard nozzle_load_acquire(entry) == 1 else { continue }
            var length = 0
            while length < Scoreboard.entrySize - 1 && entry[1 + length] != 0 { length += 1 }
            requests.append(String(decoding: UnsafeBufferPointer(start: entry + 1, count: length), as: UTF8.self))
            entry[0] = 0
        }
        return requests
    }

    /// The pool: every region built from the same routes, counts summed; workers from live processes.
    func pool(routeHash: Int, routes: Int) -> StatusSnapshot {
        var snapshot = StatusSnapshot(routes: Array(repeating: .init(), count: routes))
        for region in 0..<regions {
            let header = header(region)
            guard nozzle_load(header + 1) == routeHash, nozzle_load(header) != 0 else { continue }
            snapshot.accepted += nozzle_load(header + 2)
            snapshot.slow += nozzle_load(header + 3)
            snapshot.maxActive = max(snapshot.maxActive, nozzle_load(header + 4))
            if kill(pid_t(nozzle_load(header)), 0) == 0 {
                let active = (0..<threads).filter { nozzle_load_acquire(entry(region: region, thread: $0)) == 1 }.count
                snapshot.processes += 1
                snapshot.total += threads
                snapshot.active += active
                snapshot.processList.append((nozzle_load(header), nozzle_load(header + 2), active))
                snapshot.inFlight += nozzle_load(header + 5)
                snapshot.queued += nozzle_load(header + 8)
                snapshot.mostInFlight = max(snapshot.mostInFlight, nozzle_load(header + 6))
                snapshot.maxInFlight = nozzle_load(header + 7)
                snapshot.afterResponse.running += nozzle_load(header + 9)
                snapshot.afterResponse.waiting += nozzle_load(header + 10)
            }
            // Finished work counts, as requests do, whether or not its process still runs.
            snapshot.afterResponse.completed += nozzle_load(header + 11)
            snapshot.afterResponse.failed += nozzle_load(header + 12)
            let counters = routeCounters(region)
            for route in 0..<min(routes, routeCapacity) {
                let base = counters + route * (2 + LatencyHistogram.bucketCount)
                snapshot.routes[route].count += nozzle_load(base)
                snapshot.routes[route].errors += nozzle_load(base + 1)
                for bucket in 0..<LatencyHistogram.bucketCount {
                    snapshot.routes[route].latency.add(bucket: bucket, count: nozzle_load(base + 2 + bucket))
                }
            }
        }
        return snapshot
    }
}
