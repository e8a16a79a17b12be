@testable import NozzleFastCGI
import Testing

/// When a worker retires: after its requests, with jitter, or past a memory bound.
struct RecyclingTests {
    @Test func withoutJitterTheLimitIsMaxRequests() {
        #expect(Recycling(maxRequests: 300).requestLimit() == 300)
        #expect(Recycling(maxRequests: 300).requestLimit(adding: 20) == 300)
        #expect(Recycling().requestLimit() == nil)
    }

    @Test func jitterAddsFromZeroToItsValue() {
        let recycling = Recycling(maxRequests: 300, jitter: 50)
        #expect(recycling.requestLimit(adding: 0) == 300)
        #expect(recycling.requestLimit(adding: 50) == 350)
        #expect(recycling.requestLimit(adding: 51) == 350)
        #expect(recycling.requestLimit(adding: -1) == 300)
        let limits = Set((0..<200).compactMap { _ in recycling.requestLimit() })
        #expect(limits.allSatisfy { (300...350).contains($0) })
        // Workers started together retire apart.
        #expect(limits.count > 10)
        #expect(Recycling(maxRequests: .max, jitter: 5).requestLimit(adding: 5) == .max)
    }

    @Test func memoryPastTheBoundIsAReason() {
        let recycling = Recycling(maxMemory: 64 << 20)
        #expect(recycling.memoryReason(residentBytes: 64 << 20) == nil)
        #expect(recycling.memoryReason(residentBytes: (64 << 20) + 1) == "resident memory 64.0 MB is past --max-memory 64.0 MB")
        #expect(recycling.memoryReason(residentBytes: 100 << 20) == "resident memory 100.0 MB is past --max-memory 64.0 MB")
        #expect(Recycling().memoryReason(residentBytes: .max) == nil)
    }

    @Test func thisProcessReadsItsResidentMemory() throws {
        let resident = try #require(System.residentBytes())
        #expect(resident > 1 << 20)
    }

    @Test(arguments: [
        (["--max-requests", "1000", "--max-requests-jitter", "100"], Recycling(maxRequests: 1000, jitter: 100)),
        (["--max-memory", "512mb"], Recycling(maxMemory: 512 << 20)),
        (["--max-memory=1.5gb", "--max-requests=10"], Recycling(maxRequests: 10, maxMemory: 1536 << 20)),
    ])
    func parsesTheOptions(arguments: [String], recycling: Recycling) throws {
        #expect(try ServeOptions(arguments: arguments).recycling == recycling)
    }

    @Test(arguments: [
        (["--max-requests-jitter", "10"], "--max-requests-jitter adds to --max-requests, which is not given"),
        (["--max-requests", "10", "--max-requests-jitter", "-1"], "--max-requests-jitter takes 0 or a positive number, not '-1'"),
        (["--max-memory", "lots"], "--max-memory takes a size such as 512mb or 1gb, not 'lots'"),
        (["--max-memory", "0"], "--max-memory takes a size such as 512mb or 1gb, not '0'"),
    ])
    func refusesWhatMakesNoSense(arguments: [String], message: String) {
        #expect(throws: ServeOptions.ParseError.self) { try ServeOptions(arguments: arguments) }
        do {
            _ = try ServeOptions(arguments: arguments)
        } catch {
            #expect(error.description == message)
        }
    }
}
