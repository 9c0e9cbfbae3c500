import FoodbankCanonical
import FoodbankJSON
@testable import FoodbankReconcile
import Foundation
import Testing

@Suite struct ReconcileRulesTests {
    static let now = Date(timeIntervalSince1970: 1_795_400_000)

    static func event(_ row: [String: JSONValue], txID: Int64, op: String = "c", before: [String: JSONValue]? = nil) throws -> [[UInt8]] {
        let envelope = JSONValue.object(["op": .string(op), "before": before.map(JSONValue.object) ?? .null, "after": op == "d" ? .null : .object(row),
                                         "source": .object(["txId": .int(txID), "lsn": .int(txID * 10), "ts_ms": .int(1_795_362_716_373)])])
        return try InventoryNormalizer.fromWarehouse(envelope, processedAt: now).events.map { $0.json().encoded() }
    }

    static let row: [String: JSONValue] = [
        "txn_id": .int(1), "txn_type": .string("receipt"), "sku": .string("SKU-1"), "location_id": .string("OAK-MAIN"), "to_location_id": .null,
        "lot_code": .null, "quantity_cases": .string("10.00"), "weight_lbs": .string("200.00"), "reason_code": .null, "reference_type": .null,
        "reference_id": .null, "occurred_at": .string("2026-11-20T18:00:00Z"), "recorded_by": .null, "updated_at": .string("2026-11-20T18:00:00Z"),
    ]

    @Test func movementsCarryTheirSignedDeltaAndOwnWeight() throws {
        var distribution = Self.row
        distribution["txn_id"] = .int(2)
        distribution["txn_type"] = .string("distribution")
        distribution["quantity_cases"] = .string("4.00")
        distribution["weight_lbs"] = .null
        let values = try Self.event(Self.row, txID: 10) + Self.event(distribution, txID: 11)
        let plan = ReconcileRules.plan(values.map { (.inventoryEvents, $0) })
        #expect(plan.rejected.isEmpty)
        #expect(plan.versions.compactMap(\.leg?.deltaCases) == [10, -4])
        #expect(plan.versions.map(\.leg?.ownLbs) == [200, nil], "nil: derived from the item's unit weight")
        #expect(plan.versions.first?.leg?.businessDate == "2026-11-20")
        #expect(plan.versions.map(\.rowID) == ["warehouse:wms.inventory_transactions:1", "warehouse:wms.inventory_transactions:2"])
        #expect(plan.versions.map(\.position) == [100, 110])
        #expect(plan.freshness["warehouse"] != nil)
    }

    @Test func anOwnWeightIsSignedLikeTheCasesAndZeroCasesMoveNoPounds() throws {
        func adjustment(_ id: Int64, cases: String) -> [String: JSONValue] {
            var row = Self.row
            row["txn_id"] = .int(id)
            row["txn_type"] = .string("adjustment")
            row["quantity_cases"] = .string(cases)
            row["weight_lbs"] = .string("-30.00")
            return row
        }
        let values = try Self.event(adjustment(1, cases: "3.00"), txID: 10) + Self.event(adjustment(2, cases: "-3.00"), txID: 11)
            + Self.event(adjustment(3, cases: "0.00"), txID: 12)
        let plan = ReconcileRules.plan(values.map { (.inventoryEvents, $0) })
        #expect(plan.rejected.isEmpty)
        #expect(plan.versions.map(\.leg?.deltaCases) == [3, -3, 0])
        #expect(plan.versions.map(\.leg?.ownLbs) == [30, -30, 0], "a magnitude, signed like the cases; no cases, no pounds")
    }

    @Test func anUpdateIsTheRowsNewVersionAloneAndADeleteItsRetraction() throws {
        var corrected = Self.row
        corrected["quantity_cases"] = .string("12.00")
        let values = try Self.event(Self.row, txID: 10) + Self.event(corrected, txID: 11, op: "u", before: Self.row)
            + Self.event(corrected, txID: 12, op: "d", before: corrected)
        let plan = ReconcileRules.plan(values.map { (.inventoryEvents, $0) })
        #expect(plan.rejected.isEmpty)
        #expect(plan.versions.map(\.change) == [.assert, .assert, .retract])
        #expect(plan.versions.map(\.leg?.deltaCases) == [10, 12, nil])
        #expect(Set(plan.versions.map(\.rowID)).count == 1)
    }

    @Test func theNewestItemVersionWinsAndTombstonesAreNothing() throws {
        func item(_ weight: String, lsn: Int64, op: String = "c") -> [UInt8] {
            let row = JSONValue.object(["sku": .string("SKU-1"), "description": .string("Beans"), "category": .string("dry_goods"),
                                        "unit_weight_lbs": .string(weight), "perishable": .bool(false), "active": .bool(true)])
            return JSONValue.object(["op": .string(op), "before": op == "d" ? row : .null, "after": op == "d" ? .null : row,
                                     "source": .object(["lsn": .int(lsn), "txId": .int(1)])]).encoded()
        }
        let plan = ReconcileRules.plan([(.items, item("12.500", lsn: 20)), (.items, item("10.000", lsn: 10)), (.items, nil)])
        #expect(plan.items["SKU-1"]?.unitWeightLbs == Decimal(string: "12.5"))
        #expect(plan.rejected.isEmpty)
        #expect(ReconcileRules.plan([(.items, item("1", lsn: 30, op: "d"))]).items["SKU-1"]?.deleted == true)
    }

    /// Decision 32: the last snapshot row of a table says the table was read whole at its position.
    @Test func aTablesLastSnapshotRowIsACompletedSnapshotAndOlderVersionsAreRemovals() throws {
        let envelope = JSONValue.object(["op": .string("r"), "before": .null, "after": .object(Self.row),
                                         "source": .object(["txId": .int(5), "lsn": .int(9_000), "snapshot": .string("last_in_data_collection"),
                                                            "schema": .string("wms"), "table": .string("inventory_transactions")])])
        let event = try InventoryNormalizer.fromWarehouse(envelope, processedAt: Self.now).events.map { $0.json().encoded() }
        let item = JSONValue.object(["op": .string("r"), "after": .object(["sku": .string("SKU-1"), "unit_weight_lbs": .string("2")]),
                                     "source": .object(["lsn": .int(9_000), "snapshot": .string("last_in_data_collection"), "schema": .string("wms"),
                                                        "table": .string("items")])])
        let plan = ReconcileRules.plan(event.map { (.inventoryEvents, $0) } + [(.items, item.encoded())])
        #expect(plan.completedSnapshots == [SnapshotCompletion(system: "warehouse", object: "wms.inventory_transactions", position: 9_000),
                                            SnapshotCompletion(system: "warehouse", object: "wms.items", position: 9_000)])

        let latest = ["warehouse:wms.inventory_transactions": Int64(9_000), "warehouse:wms.items": 9_000]
        let old = LedgerVersion(rowID: "warehouse:wms.inventory_transactions:7", holder: "", position: 8_000, change: .assert, leg: nil)
        #expect(ReconcileStore.belowSnapshot(old, latest) == LedgerVersion(rowID: old.rowID, holder: "", position: 8_999, change: .retract, leg: nil),
                "a version older than the snapshot, read after it: its row was not in the snapshot")
        var snapshotted = old
        snapshotted.position = 9_000
        #expect(ReconcileStore.belowSnapshot(snapshotted, latest) == snapshotted, "the snapshot's own rows count")
        let feed = LedgerVersion(rowID: "legacy_wms:legacy_wms:HAY-SAT|M1", holder: "f.csv", position: 5, change: .assert, leg: nil)
        #expect(ReconcileStore.belowSnapshot(feed, latest) == feed, "a feed has no snapshot")
        let oldItem = try #require(try ItemVersion(changeEvent: .object(["op": .string("c"), "after": .object(["sku": .string("SKU-1"), "unit_weight_lbs": .string("2")]),
                                                                  "source": .object(["lsn": .int(100)])])))
        #expect(ReconcileStore.belowSnapshot(oldItem, latest) == ItemVersion(removedSku: "SKU-1", position: 8_999))
    }

    @Test func badRecordsAreRejectedWithTheirIndexAndTheRestApplies() throws {
        let good = try Self.event(Self.row, txID: 10)[0]
        let records: [(ReconcileRules.Input, [UInt8]?)] = [
            (.inventoryEvents, Array("{nope".utf8)), (.inventoryEvents, good), (.inventoryEvents, nil),
            (.inventoryEvents, Array(#"{"schema_version":9}"#.utf8)), (.items, Array(#"{"op":"c","after":{"sku":"X","unit_weight_lbs":"heavy"}}"#.utf8)),
            (.otherCanonical, Array(#"{"event_id":"x"}"#.utf8)),
        ]
        let plan = ReconcileRules.plan(records)
        #expect(plan.versions.count == 1)
        #expect(plan.rejected.map(\.index) == [0, 2, 3, 4, 5])
        #expect(plan.rejected.allSatisfy { !$0.reason.isEmpty })
    }
}
