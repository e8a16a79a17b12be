import Testing
@testable import users

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
}
