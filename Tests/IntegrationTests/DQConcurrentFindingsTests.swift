@testable import FoodbankDQ
import FoodbankPostgres
import Foundation
import Testing

extension Integration {
    /// Two dq instances judging one entity at once (one instance's batch, the other's sweep): a
    /// finding's id counts the entity's earlier findings, so without a lock both took the same id and
    /// the second failed on `dq_violations_pkey` (seen in a two-instance history: the instance stopped).
    @Suite struct DQConcurrentFindings {
        @Test func twoTransactionsJudgingOneDonationTakeTurns() throws {
            let donation = TestStack.uniqueName("dup")
            func evidence(intakes: [Int64]) -> DQEvidence {
                var evidence = DQEvidence()
                evidence.now = Date()
                evidence.intakes = [donation: intakes]
                return evidence
            }
            let first = try TestStack.database()
            defer { first.close() }
            // The donation's first finding, opened and resolved.
            _ = try first.transaction { try DQStore.record(evidence(intakes: [1, 2]), $0, checks: [DQChecks.duplicateDonationID]) }
            _ = try first.transaction { try DQStore.record(evidence(intakes: [1]), $0, checks: [DQChecks.duplicateDonationID]) }

            // The first transaction opens the second finding and resolves it again, and stays open.
            try first.execute("BEGIN")
            _ = try DQStore.record(evidence(intakes: [1, 2]), first, checks: [DQChecks.duplicateDonationID])
            _ = try DQStore.record(evidence(intakes: [1]), first, checks: [DQChecks.duplicateDonationID])

            // Meanwhile a second transaction opens one.
            let second = try TestStack.database()
            defer { second.close() }
            let secondPID = try #require(try second.execute("SELECT pg_backend_pid()::text").scalar)
            let judged = evidence(intakes: [1, 3])
            // Written by the thread before it signals, read after the wait.
            nonisolated(unsafe) var secondError: (any Error)?
            let finished = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                do {
                    _ = try second.transaction { try DQStore.record(judged, $0, checks: [DQChecks.duplicateDonationID]) }
                } catch { secondError = error }
                finished.signal()
            }
            let waiting = eventually(timeout: .seconds(10), every: .milliseconds(50)) {
                (try? first.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1::int", [.text(secondPID)]).scalar) == "Lock"
            }
            try first.execute("COMMIT")
            finished.wait()
            #expect(waiting, "the second transaction waits for the first")
            #expect(secondError == nil, "the second transaction fails: \(String(describing: secondError))")
            let rows = try first.execute("""
                SELECT violation_id || ' ' || (resolved_at IS NULL)::text AS row FROM ops.dq_violations
                WHERE check_name = 'duplicate_donation_id' AND entity_key = $1 ORDER BY first_seen_at, violation_id
                """, [.text(donation)])
            let prefix = "duplicate_donation_id:donation:\(donation)"
            #expect((0..<rows.count).compactMap { rows.value($0, "row") } == ["\(prefix):1 false", "\(prefix):2 false", "\(prefix):3 true"])
        }
    }
}
