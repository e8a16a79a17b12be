import CNozzleSystem
import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// Rate-limit counts in shared memory, so that every worker process of one pool counts a client once.
///
/// The supervisor makes the table (a memfd, as the status scoreboard is) and hands it to each worker
/// as fd 6; a reload's new workers get the same table, so counts survive a deploy. Its size is fixed
/// when it is made: buckets of eight slots, a client's bucket chosen by SipHash of its key under a
/// random key of the pool's, so a client cannot aim its keys at one bucket. A request locks one
/// bucket, looks at eight slots and writes one: constant time, whatever the number of clients. A new
/// client takes an empty or expired slot of its bucket, or else the one whose window ends first: when
/// more clients arrive than the table holds, the oldest counts are forgotten, as in
/// ``MemoryRateLimitStore``, and memory never grows.
///
/// A bucket's lock word holds the pid of the process inside it. A worker killed while holding one
/// (the critical section has no system call, so this takes a SIGKILL at just that moment) does not
/// wedge the bucket: a process that has waited long enough for it checks that the holder is gone and
/// takes the lock over.
// Unchecked: `words` points into memory shared between processes; every access to it is an atomic
// operation or happens under the bucket's lock word.
final class SharedRateLimitTable: @unchecked Sendable {
    /// Where a worker finds the table, when its environment has ``environmentName``.
    static let fd: Int32 = 6
    static let environmentName = "NOZZLE_RATE_LIMIT_TABLE"
    static let slotsPerBucket = 8
    /// Words per bucket: the lock, then three words per slot (hash, count, end of window), padded
    /// to 256 bytes.
    static let bucketWords = 32
    static let headerWords = 8
    /// The buckets a pool's table has unless told: 131,072 clients in 4 MiB.
    static let defaultBuckets = 16_384
    private static let magic = 0x4E5A_524C_0001  // "NZRL", version 1

    private let words: UnsafeMutablePointer<Int>
    private let size: Int
    let bucketCount: Int
    private let hasher: SipHash
    /// Spins on a busy bucket before checking whether its holder still lives.
    private let patience = 10_000

    /// The clients the table can hold.
    var capacity: Int { bucketCount * Self.slotsPerBucket }

    private init(words: UnsafeMutablePointer<Int>, size: Int) {
        self.words = words
        self.size = size
        bucketCount = words[1]
        hasher = SipHash(k0: UInt64(bitPattern: Int64(words[2])), k1: UInt64(bitPattern: Int64(words[3])))
    }

    deinit { munmap(words, size) }

    /// A new table of `buckets` buckets (rounded up to a power of two) with a random hash key, and
    /// its fd to hand to workers.
    static func create(buckets: Int = defaultBuckets) -> (SharedRateLimitTable, Int32)? {
        var count = 1
        while count < max(1, buckets) { count <<= 1 }
        let size = (headerWords + count * bucketWords) * MemoryLayout<Int>.stride
        let fd = nozzle_memfd("nozzle-rate-limit")
        guard fd >= 0 else { return nil }
        guard ftruncate(fd, off_t(size)) == 0, let words = map(fd, size: size) else {
            close(fd)
            return nil
        }
        var random = SystemRandomNumberGenerator()
        words[1] = count
        words[2] = Int(truncatingIfNeeded: random.next() as UInt64)
        words[3] = Int(truncatingIfNeeded: random.next() as UInt64)
        nozzle_release(words, magic)
        return (SharedRateLimitTable(words: words, size: size), fd)
    }

    /// The table behind `fd`, mapped again: a worker's view of its supervisor's table.
    static func attach(fd: Int32) -> SharedRateLimitTable? {
        var info = stat()
        guard fstat(fd, &info) == 0, Int(info.st_size) >= headerWords * MemoryLayout<Int>.stride,
            let words = map(fd, size: Int(info.st_size)), nozzle_load(words) == magic
        else { return nil }
        let table = SharedRateLimitTable(words: words, size: Int(info.st_size))
        guard table.bucketCount > 0, (headerWords + table.bucketCount * bucketWords) * MemoryLayout<Int>.stride <= table.size else { return nil }
        return table
    }

    private static func map(_ fd: Int32, size: Int) -> UnsafeMutablePointer<Int>? {
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let address, address != MAP_FAILED else { return nil }
        return address.assumingMemoryBound(to: Int.self)
    }

    /// In a worker process whose supervisor passed a table: makes it the store of every
    /// ``RateLimit`` that has none of its own.
    static func adopt(environment: [String: String]) {
        guard environment[environmentName] == String(fd), let table = attach(fd: fd) else { return }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        RateLimit.hostStore.withLock { $0 = SharedRateLimitStore(table: table) }
    }

    /// Counts one request of `key` and returns its count in its window.
    func hit(_ key: String, windowSeconds: Int, now: Int) -> RateLimitHit {
        var hash = hasher.hash(key.utf8)
        if hash == 0 { hash = 1 }  // 0 marks an empty slot
        let fingerprint = Int(bitPattern: UInt(hash))
        let index = Int(truncatingIfNeeded: hash >> 32) & (bucketCount - 1)
        let bucket = words + Self.headerWords + index * Self.bucketWords
        lock(bucket)
        defer { nozzle_release(bucket, 0) }
        // An empty or expired slot is free; failing that, the one whose window ends first goes.
        var victim = bucket + 1
        var victimEnds = Int.max
        for slot in 0..<Self.slotsPerBucket {
            let entry = bucket + 1 + slot * 3
            if entry[0] == fingerprint {
                if now >= entry[2] {
                    entry[1] = 0
                    entry[2] = now + windowSeconds
                }
                entry[1] += 1
                return RateLimitHit(count: entry[1], resetAt: entry[2])
            }
            let ends = entry[0] == 0 || entry[2] <= now ? Int.min : entry[2]
            if ends < victimEnds {
                victim = entry
                victimEnds = ends
            }
        }
        victim[0] = fingerprint
        victim[1] = 1
        victim[2] = now + windowSeconds
        return RateLimitHit(count: 1, resetAt: victim[2])
    }

    /// The first bucket's lock word, for tests.
    var lockWordForTests: UnsafeMutablePointer<Int> { words + Self.headerWords }

    /// Takes a bucket's lock word; see the type's notes on a holder that died.
    private func lock(_ word: UnsafeMutablePointer<Int>) {
        let me = Int(getpid())
        var spins = 0
        while nozzle_compare_exchange(word, 0, me) == 0 {
            spins += 1
            if spins < 64 { continue }
            sched_yield()
            guard spins >= patience else { continue }
            spins = 0
            let holder = nozzle_load(word)
            if holder != 0, holder != me, kill(pid_t(truncatingIfNeeded: holder), 0) != 0, errno == ESRCH,
                nozzle_compare_exchange(word, holder, me) != 0
            {
                return
            }
        }
    }
}

/// The ``RateLimitStore`` of a worker process: the pool's shared table.
struct SharedRateLimitStore: RateLimitStore {
    let table: SharedRateLimitTable

    func hit(_ key: String, windowSeconds: Int, now: Int) -> RateLimitHit {
        table.hit(key, windowSeconds: windowSeconds, now: now)
    }
}
