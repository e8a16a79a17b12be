import CFastCGI
#if canImport(Glibc)
import Glibc
#endif

/// Shared memory in which each worker thread records the request it is serving, so that when a
/// worker process dies the supervisor can say which routes were running.
///
/// The supervisor creates it (a memfd) and hands it to every worker as fd 4. Each worker process
/// has a region of its own: one entry per worker thread, a flag byte and the request line. Reads
/// are best effort: a diagnostic, never used for control.
final class Scoreboard: @unchecked Sendable {
    static let fd: Int32 = 4
    static let entrySize = 128
    let base: UnsafeMutablePointer<UInt8>
    let size: Int
    let threads: Int
    /// Where this process writes, for a worker; nil in the supervisor.
    let region: Int?

    private init(base: UnsafeMutablePointer<UInt8>, size: Int, threads: Int, region: Int?) {
        self.base = base
        self.size = size
        self.threads = threads
        self.region = region
    }

    /// The supervisor's scoreboard for `regions` worker processes of `threads` threads each, and its fd.
    static func create(regions: Int, threads: Int) -> (Scoreboard, Int32)? {
        let size = regions * threads * entrySize
        let fd = nozzle_memfd("nozzle-scoreboard")
        guard fd >= 0, ftruncate(fd, off_t(size)) == 0, let base = map(fd, size: size) else { return nil }
        return (Scoreboard(base: base, size: size, threads: threads, region: nil), fd)
    }

    /// A worker's view, from `NOZZLE_SCOREBOARD` (its region) in the environment; nil without one.
    static func attach(environment: [String: String], threads: Int) -> Scoreboard? {
        guard let region = environment["NOZZLE_SCOREBOARD"].flatMap({ Int($0) }) else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, let base = map(fd, size: Int(info.st_size)) else { return nil }
        let board = Scoreboard(base: base, size: Int(info.st_size), threads: threads, region: region)
        guard (region + 1) * threads * entrySize <= board.size else { return nil }
        return board
    }

    private static func map(_ fd: Int32, size: Int) -> UnsafeMutablePointer<UInt8>? {
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let address, address != MAP_FAILED else { return nil }
        return address.assumingMemoryBound(to: UInt8.self)
    }

    private func entry(region: Int, thread: Int) -> UnsafeMutablePointer<UInt8> {
        base + (region * threads + thread) * Scoreboard.entrySize
    }

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

    /// What the threads of `region` were serving, for the supervisor, and clears them.
    func takeRequests(region: Int) -> [String] {
        guard (region + 1) * threads * Scoreboard.entrySize <= size else { return [] }
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
}
