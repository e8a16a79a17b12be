import Testing
@testable import users

@Suite(.serialized)
struct DeadlineTests {
    @Test func anAnswerInTimeIsReturned() async throws {
        #expect(try await withDeadline(.seconds(5)) { 42 } == 42)
        await #expect(throws: UserStoreError.self) {
            try await withDeadline(.seconds(5)) { () async throws -> Int in throw UserStoreError.duplicateEmail }
        }
    }

    @Test func anOperationThatIgnoresCancellationIsNotWaitedFor() async throws {
        let started = ContinuousClock.now
        await #expect(throws: DeadlinePassed.self) {
            try await withDeadline(.milliseconds(100)) { () async throws -> Int in
                // Deaf to cancellation, as a query on a connection whose host vanished.
                try? await Task.sleep(for: .seconds(30))
                try? await Task.sleep(for: .seconds(30))
                return 1
            }
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func cancellingTheCallerEndsTheWait() async throws {
        let task = Task { try await withDeadline(.seconds(30)) { () async throws -> Int in
            try? await Task.sleep(for: .seconds(30))
            return 1
        } }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func deadlinesThatEndOrPassLeaveNothingBehind() async throws {
        // Many calls at once, most answering in time, some not: each gets its own outcome.
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    do {
                        _ = try await withDeadline(.milliseconds(150)) { () async throws -> Int in
                            if index % 10 == 0 { try? await Task.sleep(for: .seconds(30)) }
                            return index
                        }
                        return true
                    } catch is DeadlinePassed {
                        return false
                    }
                }
            }
            var answered = 0, passed = 0
            for try await inTime in group { if inTime { answered += 1 } else { passed += 1 } }
            #expect(answered == 180)
            #expect(passed == 20)
        }
        #expect(Deadlines.shared.pending == 0)
    }

    @Test func theHeapGivesDeadlinesInTheirOrder() {
        let start = ContinuousClock.now
        var heap = DeadlineHeap()
        var offsets = Array(0..<500).map { ($0 * 7919) % 500 }
        offsets.shuffle()
        for (id, offset) in offsets.enumerated() { heap.insert(id: UInt64(id), at: start + .milliseconds(offset)) }
        var seen: [ContinuousClock.Instant] = []
        while let first = heap.first {
            seen.append(first.at)
            heap.removeFirst()
        }
        #expect(seen.count == 500)
        #expect(seen == seen.sorted())
    }
}
