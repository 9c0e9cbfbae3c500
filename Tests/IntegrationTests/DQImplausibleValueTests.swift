import FoodbankDQ
import FoodbankJSON
import FoodbankPostgres
import Foundation
import Testing

extension Integration {
    /// implausible_value on the real database: a donation line's $1.5M fair market value opens a
    /// finding (and is still counted: the source of record holds it), its correction resolves it,
    /// and the old version delivered again, older by position, does not open it again.
    @Suite struct DQImplausibleValues {
        @Test func aCorrectionResolvesTheFindingAndAReplayDoesNotReopenIt() throws {
            try TestStack.forgetSnapshotCompletions()
            let tag = TestStack.uniqueName("iv")
            let sourceID = "\(tag)|1"
            func line(_ value: String, at position: Int64) -> [UInt8] {
                JSONValue.object(["record_type": .string("donation_line"), "retraction": .bool(false), "sku": .string("S-\(tag)"),
                                  "quantity_cases": .string("40"), "fair_market_value_usd": .string(value),
                                  "source": .object(["system": .string("donations"), "object": .string("intake.donation_lines"),
                                                     "source_id": .string(sourceID), "position": .string("\(position)")])]).encoded()
            }
            let db = try TestStack.database()
            defer { db.close() }
            func apply(_ value: String, at position: Int64) throws -> [DQFinding] {
                try db.transaction { db in
                    try DQStore.apply(DQFacts.collect([(.donations, line(value, at: position))]), in: db, now: Date(), gracePeriod: 900)
                }.filter { $0.check == "implausible_value" }
            }
            func open() throws -> String? {
                try db.execute("SELECT details::text FROM ops.dq_violations WHERE check_name = 'implausible_value' AND entity_key = $1 AND resolved_at IS NULL",
                               [.text("donations:intake.donation_lines:\(sourceID)")]).scalar
            }
            #expect(try apply("1500000.00", at: 10).map(\.status) == [.open])
            #expect(try open()?.contains("\"1500000\"") == true, "the finding names the value and its limit")
            #expect(try apply("1500.00", at: 20).map(\.status) == [.resolved], "the correction resolves it")
            #expect(try open() == nil)
            #expect(try apply("1500000.00", at: 10).isEmpty, "a replayed older version changes nothing")
            #expect(try open() == nil)
        }
    }
}
