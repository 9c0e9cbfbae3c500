import FoodbankCanonical
import FoodbankJSON
@testable import FoodbankNightly
import Testing

/// Decision 32 in nightly's records.
@Suite struct NightlyRecordsTests {
    @Test func aCompletedSnapshotIsNotedByRecordTypeAndOlderVersionsAreRemovals() throws {
        let donor = JSONValue.object(["op": .string("r"), "after": .object(["donor_id": .string("DN-1"), "donor_type": .string("grocery")]),
                                      "source": .object(["lsn": .int(9_000), "snapshot": .string("last"), "schema": .string("intake"),
                                                         "table": .string("donors")])])
        let batch = NightlyRecords.versions([(.donors, donor.encoded())])
        #expect(batch.completedSnapshots.map(\.object).sorted() == ["intake.donation_lines", "intake.donations", "intake.donors"],
                "last completes every table of donations")
        #expect(Set(batch.completedSnapshots.compactMap(\.recordType)) == ["donor", "intake", "donation_line"])
        #expect(batch.completedSnapshots.allSatisfy { $0.position == 9_000 } && batch.rows.count == 1)

        let old = CanonicalRowVersion(recordType: "intake", sourceID: "7", recordID: "donations:intake.donations:7", live: true, position: 100,
                                      fields: [:], businessDate: "2026-11-02")
        let removed = NightlyRecords.belowSnapshot(old, ["intake": 500])
        #expect(!removed.live && removed.position == 499 && removed.businessDate == "2026-11-02", "its day is finalized again without it")
        #expect(NightlyRecords.belowSnapshot(old, ["donor": 500]) == old)
    }
}
