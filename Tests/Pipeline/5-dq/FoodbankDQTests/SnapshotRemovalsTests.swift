import FoodbankCanonical
@testable import FoodbankDQ
import FoodbankJSON
import Testing

/// Decision 32 in dq's facts: a version older than its table's latest complete snapshot is a
/// removal of its row, whichever of the two dq reads first.
@Suite struct SnapshotRemovalsTests {
    @Test func versionsOlderThanTheirTablesLatestCompleteSnapshotAreRemovals() {
        var facts = DQFacts()
        facts.name("SKU-1", by: .init(recordID: "warehouse:wms.inventory_transactions:7", recordType: "inventory_event", sku: "SKU-1", live: true,
                                      position: 100, quantities: ["quantity_cases": "4"]))
        facts.name("SKU-2", by: .init(recordID: "legacy_wms:legacy_wms:HAY-SAT|M1@f.csv", recordType: "inventory_event", sku: "SKU-2", live: true,
                                      position: 100))
        facts.rows["order"] = ["O-1": CanonicalRowVersion(recordType: "order", sourceID: "O-1", recordID: "agency:agency.orders:O-1", live: true,
                                                          position: 100, fields: [:], businessDate: nil),
                               "O-2": CanonicalRowVersion(recordType: "order", sourceID: "O-2", recordID: "agency:agency.orders:O-2", live: true,
                                                          position: 600, fields: [:], businessDate: nil)]
        facts.items["SKU-1"] = ItemVersion(removedSku: "SKU-1", position: 50)
        facts.items["SKU-1"]!.deleted = false
        SnapshotRemovals.removeBelowSnapshots(["warehouse:wms.inventory_transactions": 500, "agency:agency.orders": 500, "warehouse:wms.items": 500],
                                              &facts)
        let movement = facts.skuReferences["warehouse:wms.inventory_transactions:7"]
        #expect(movement?.live == false && movement?.position == 499 && movement?.quantities == [:])
        #expect(facts.skuReferences["legacy_wms:legacy_wms:HAY-SAT|M1@f.csv"]?.live == true, "a feed has no snapshot")
        #expect(facts.rows["order"]?["O-1"]?.live == false && facts.rows["order"]?["O-1"]?.position == 499)
        #expect(facts.rows["order"]?["O-2"]?.live == true, "changed after the snapshot")
        #expect(facts.items["SKU-1"] == ItemVersion(removedSku: "SKU-1", position: 499))
    }

    @Test func aTablesLastSnapshotRowIsNotedWithItsRecordType() throws {
        let item = JSONValue.object(["op": .string("r"), "after": .object(["sku": .string("SKU-1"), "unit_weight_lbs": .string("2")]),
                                     "source": .object(["lsn": .int(9_000), "snapshot": .string("last_in_data_collection"),
                                                        "schema": .string("wms"), "table": .string("items")])])
        var facts = DQFacts()
        try facts.add(.items, item.encoded())
        #expect(facts.completedSnapshots.map(\.recordType) == ["item"])
        #expect(facts.completedSnapshots == [SnapshotCompletion(system: "warehouse", object: "wms.items", position: 9_000)])
    }
}
