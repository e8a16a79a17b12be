import Foundation
import Nozzle
import Testing
@testable import NozzleFastCGI

/// The shared rate-limit table, mapped twice as two worker processes map it.
struct SharedRateLimitTableTests {
    @Test func sipHashMatchesTheReferenceVectors() {
        // The reference implementation's vectors: key 00 01 … 0f, messages 00 01 … of each length.
        let hasher = SipHash(k0: 0x0706_0504_0302_0100, k1: 0x0f0e_0d0c_0b0a_0908)
        #expect(hasher.hash([UInt8]()) == 0x726f_db47_dd0e_0e31)
        #expect(hasher.hash(Array(0..<8) as [UInt8]) == 0x93f5_f579_9a93_2462)
        #expect(hasher.hash(Array(0..<15) as [UInt8]) == 0xa129_ca61_49be_45e5)
        #expect(hasher.hash(Array(0..<63) as [UInt8]) == 0x958a_324c_eb06_4572)
    }

    @Test func twoMappingsCountOneClientTogether() throws {
        let (table, fd) = try #require(SharedRateLimitTable.create(buckets: 64))
        defer { close(fd) }
        let other = try #require(SharedRateLimitTable.attach(fd: fd))
        #expect(table.hit("a 10.0.0.1", windowSeconds: 60, now: 1000) == RateLimitHit(count: 1, resetAt: 1060))
        #expect(other.hit("a 10.0.0.1", windowSeconds: 60, now: 1001) == RateLimitHit(count: 2, resetAt: 1060))
        #expect(table.hit("a 10.0.0.1", windowSeconds: 60, now: 1059).count == 3)
        // Another client, and the same client under another limit's name, count apart.
        #expect(other.hit("a 10.0.0.2", windowSeconds: 60, now: 1002).count == 1)
        #expect(other.hit("b 10.0.0.1", windowSeconds: 60, now: 1002).count == 1)
        // The window ends: a new one starts from this request.
        #expect(other.hit("a 10.0.0.1", windowSeconds: 60, now: 1060) == RateLimitHit(count: 1, resetAt: 1120))
    }

    @Test func aFullTableForgetsTheOldestCountsAndStaysItsSize() throws {
        let (table, fd) = try #require(SharedRateLimitTable.create(buckets: 16))
        defer { close(fd) }
        #expect(table.capacity == 128)
        // Ten times more clients than slots, each arriving a second after the last, in a window
        // longer than the run: every bucket overflows again and again.
        for client in 0..<1280 {
            #expect(table.hit("c \(client)", windowSeconds: 100_000, now: client).count == 1)
        }
        // The latest client of all is still counted; the first ones were forgotten.
        #expect(table.hit("c 1279", windowSeconds: 100_000, now: 1300).count == 2)
        #expect(table.hit("c 0", windowSeconds: 100_000, now: 1300).count == 1)
        // An expired slot goes before a live one.
        let (small, smallFD) = try #require(SharedRateLimitTable.create(buckets: 1))
        defer { close(smallFD) }
        for client in 0..<8 { _ = small.hit("d \(client)", windowSeconds: client == 3 ? 1 : 1000, now: 0) }
        _ = small.hit("d new", windowSeconds: 1000, now: 5)
        for client in [0, 1, 2, 4, 5, 6, 7] { #expect(small.hit("d \(client)", windowSeconds: 1000, now: 6).count == 2, "client \(client)") }
    }

    @Test func threadsOfTwoMappingsLoseNoCount() async throws {
        let (table, fd) = try #require(SharedRateLimitTable.create(buckets: 4))
        defer { close(fd) }
        let other = try #require(SharedRateLimitTable.attach(fd: fd))
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<4 {
                let view = index % 2 == 0 ? table : other
                group.addTask {
                    for _ in 0..<5_000 { _ = view.hit("shared", windowSeconds: 60, now: 10) }
                }
            }
        }
        #expect(table.hit("shared", windowSeconds: 60, now: 10).count == 20_001)
    }

    @Test func aLockHeldByAProcessThatDiedIsTakenOver() throws {
        let (table, fd) = try #require(SharedRateLimitTable.create(buckets: 1))
        defer { close(fd) }
        // A child that exits at once leaves a pid that no process has.
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, &argv, environ) == 0)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        table.lockWordForTests.pointee = Int(pid)
        #expect(table.hit("e", windowSeconds: 60, now: 0).count == 1)
        #expect(table.lockWordForTests.pointee == 0)
    }

    @Test func aTableThatIsNotOneIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "not-a-table-\(getpid())").path
        let fd = open(path, O_CREAT | O_RDWR, 0o600)
        defer {
            close(fd)
            unlink(path)
        }
        #expect(ftruncate(fd, 4096) == 0)
        #expect(SharedRateLimitTable.attach(fd: fd) == nil)
    }
}
