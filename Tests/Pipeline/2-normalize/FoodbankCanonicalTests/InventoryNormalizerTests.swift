@testable import FoodbankCanonical
import FoodbankJSON
import Foundation
import Testing

@Suite struct InventoryNormalizerTests {
    let now = Date(timeIntervalSince1970: 1_795_400_000)

    static func row(_ overrides: [String: JSONValue] = [:]) -> JSONValue {
        var row: [String: JSONValue] = [
            "txn_id": .int(42), "txn_type": .string("receipt"), "sku": .string("SKU-1"), "location_id": .string("OAK-MAIN"),
            "to_location_id": .null, "lot_code": .null, "quantity_cases": .string("10.50"), "weight_lbs": .null,
            "reason_code": .null, "reference_type": .string("donation"), "reference_id": .string("R-1"),
            "occurred_at": .string("2026-11-22T07:30:00Z"), "recorded_by": .null, "updated_at": .string("2026-11-22T07:30:00Z"),
        ]
        for (k, v) in overrides { row[k] = v }
        return .object(row)
    }

    static func envelope(op: String, before: JSONValue = .null, after: JSONValue = .null, txID: Int64 = 754, lsn: Int64 = 43_933_176) -> JSONValue {
        .object(["op": .string(op), "before": before, "after": after,
                 "source": .object(["txId": .int(txID), "lsn": .int(lsn), "ts_ms": .int(1_795_362_716_373)])])
    }

    func events(_ envelope: JSONValue?) throws -> [InventoryEvent] {
        let normalized = try InventoryNormalizer.fromWarehouse(envelope, processedAt: now)
        #expect(normalized.rejection == nil)
        return normalized.events
    }

    func sum(_ events: [InventoryEvent]) -> [String: Decimal] {
        events.reduce(into: [:]) { $0["\($1.sku)|\($1.locationID)|\($1.lotCode)", default: 0] += $1.deltaCases }
    }

    @Test func insertBecomesOneEventWithItsIdentityAndBusinessDate() throws {
        let events = try events(Self.envelope(op: "c", after: Self.row()))
        #expect(events.count == 1)
        let e = try #require(events.first)
        #expect(e.eventID == "warehouse:wms.inventory_transactions:42:43933176:new", "the change's LSN, not its transaction")
        #expect(e.source.rowID == "warehouse:wms.inventory_transactions:42" && e.source.holder == "")
        #expect(e.deltaCases == Decimal(string: "10.5"))
        #expect(e.businessDate == "2026-11-21", "07:30 UTC is the evening before in Los Angeles")
        #expect(e.source.position == "43933176")
        #expect(e.json()["schema_version"] == .int(1))
    }

    /// A re-snapshot's last row of the table carries its completion (decision 32). When that row is
    /// unreadable (a receipt of 0 cases), it has no earlier version in its event to retract: it was
    /// dead-lettered whole, the completion with it, and the rows deleted while no slot existed kept
    /// counting (a generated history: a deleted 30-case distribution still counted).
    @Test func anUnreadableSnapshotRowIsHeldUnreadableAndStillCompletesItsTable() throws {
        var envelope = Self.envelope(op: "r", after: Self.row(["quantity_cases": .string("0")]), lsn: 500)
        if case .object(var fields) = envelope, case .object(var source)? = fields["source"] {
            source["snapshot"] = .string("last_in_data_collection")
            fields["source"] = .object(source)
            envelope = .object(fields)
        }
        let normalized = try InventoryNormalizer.fromWarehouse(envelope, processedAt: now)
        #expect(normalized.rejection != nil, "still dead-lettered, with its reason")
        #expect(normalized.events.map(\.change) == [.unreadable])
        let held = try #require(normalized.events.first)
        #expect(held.deltaCases == 0 && held.source.rowID == "warehouse:wms.inventory_transactions:42" && held.source.position == "500")
        #expect(SnapshotCompletion.of(canonical: held.json()) == [SnapshotCompletion(system: "warehouse", object: "wms.inventory_transactions", position: 500)])
    }

    @Test func anEmptyReferenceIDIsNoReference() throws {
        let event = try #require(try events(Self.envelope(op: "c", after: Self.row(["reference_id": .string("")]))).first)
        #expect(event.referenceID == nil, "decision 6: '' would be a donation of its own in donation_vs_receipt")
    }

    @Test func anUpdateIsTheNewVersionAloneAndADeleteARetraction() throws {
        let update = try events(Self.envelope(op: "u", before: Self.row(), after: Self.row(["quantity_cases": .string("12.00")]), lsn: 200))
        #expect(update.map(\.change) == [.assert])
        #expect(update.first?.deltaCases == 12 && update.first?.source.position == "200")
        let delete = try events(Self.envelope(op: "d", before: Self.row(["quantity_cases": .string("12.00")]), lsn: 300))
        #expect(delete.map(\.change) == [.retract])
        #expect(delete.first?.eventID == "warehouse:wms.inventory_transactions:42:300:del")
        #expect(try events(nil).isEmpty, "tombstones carry no business event")
    }

    @Test func theLastSnapshotRowOfATableSaysItCompletesTheSnapshot() throws {
        func snapshotRow(_ marker: String) throws -> JSONValue? {
            let envelope = JSONValue.object(["op": .string("r"), "before": .null, "after": Self.row(),
                                             "source": .object(["txId": .int(9), "lsn": .int(5000), "snapshot": .string(marker),
                                                                "schema": .string("wms"), "table": .string("inventory_transactions")])])
            return try events(envelope).first?.json()["source"]
        }
        for marker in ["last_in_data_collection", "last"] {
            let source = try snapshotRow(marker)
            #expect(source?["completes_snapshot"] == .string(marker))
            let completed = source.map { SnapshotCompletion.of(canonical: .object(["source": $0])) } ?? []
            #expect(completed.map(\.object) == (marker == "last" ? ["wms.items", "wms.locations", "wms.inventory_transactions"]
                                                                   : ["wms.inventory_transactions"]), "last completes every table of its system")
            #expect(completed.allSatisfy { $0.position == 5000 && $0.system == "warehouse" })
        }
        for marker in ["first", "true", "first_in_data_collection"] { #expect(try snapshotRow(marker)?["completes_snapshot"] == nil) }
    }

    @Test func aRowsRemovalPositionIsItsTablesLatestCompleteSnapshotLessOne() {
        let latest: [String: Int64] = ["warehouse:wms.inventory_transactions": 500]
        #expect(SnapshotCompletion.removalPosition(of: "warehouse:wms.inventory_transactions:42", latest: latest) == 499)
        #expect(SnapshotCompletion.removalPosition(of: "warehouse:wms.items:SKU-1", latest: latest) == nil)
        #expect(SnapshotCompletion.removalPosition(of: "legacy_wms:legacy_wms:HAY-SAT|M1@f.csv", latest: latest) == nil)
        #expect(SnapshotCompletion.removalPosition(of: "garbage", latest: latest) == nil)
    }

    @Test func twoChangesInOneTransactionAreTwoEvents() throws {
        let insert = try events(Self.envelope(op: "c", after: Self.row(), txID: 9, lsn: 100))
        let update = try events(Self.envelope(op: "u", before: Self.row(), after: Self.row(["location_id": .string("OAK-COLD")]), txID: 9, lsn: 101))
        #expect(insert.first?.eventID != update.first?.eventID, "same transaction, two LSNs: dedupe keeps both")
    }

    @Test func aPrimaryKeyChangeRetractsTheOldRow() throws {
        let update = try events(Self.envelope(op: "u", before: Self.row(), after: Self.row(["txn_id": .int(43)]), lsn: 100))
        #expect(update.map(\.change) == [.retract, .assert])
        #expect(update.map(\.source.sourceID) == ["42", "43"])
    }

    @Test func anUnreadableCorrectionRetractsTheOldVersionAndIsRejected() throws {
        let normalized = try InventoryNormalizer.fromWarehouse(
            Self.envelope(op: "u", before: Self.row(), after: Self.row(["quantity_cases": .string("0")]), lsn: 500), processedAt: now)
        #expect(normalized.rejection?.reason.contains("positive") == true)
        #expect(normalized.events.map(\.change) == [.retract])
        #expect(normalized.events.first?.source.position == "500")
    }

    @Test func replayGivesTheSameIDs() throws {
        let a = try events(Self.envelope(op: "c", after: Self.row()))
        let b = try InventoryNormalizer.fromWarehouse(Self.envelope(op: "c", after: Self.row()), processedAt: now.addingTimeInterval(60)).events
        #expect(a.map(\.eventID) == b.map(\.eventID))
        // A snapshot carries its snapshot's LSN: another snapshot is another version, equal in value.
        let snapshot = try events(Self.envelope(op: "r", after: Self.row(), lsn: 10))
        #expect(snapshot.first?.source.position == "10")
    }

    @Test func transferLeavesOneLocationAndEntersTheOther() throws {
        let events = try events(Self.envelope(op: "c", after: Self.row([
            "txn_type": .string("transfer"), "to_location_id": .string("OAK-COLD"), "lot_code": .string("L1")])))
        #expect(events.map(\.movementType) == [.transferOut, .transferIn])
        #expect(sum(events) == ["SKU-1|OAK-MAIN|L1": Decimal(string: "-10.5")!, "SKU-1|OAK-COLD|L1": Decimal(string: "10.5")!])
    }

    @Test func signedAdjustmentsSpoilageAndDistributions() throws {
        func delta(_ type: String, _ quantity: String) throws -> Decimal? {
            try InventoryNormalizer.fromWarehouse(Self.envelope(op: "c", after: Self.row(["txn_type": .string(type), "quantity_cases": .string(quantity)])),
                                                  processedAt: now).events.first?.deltaCases
        }
        #expect(try delta("adjustment", "-3") == -3)
        #expect(try delta("adjustment", "2.25") == Decimal(string: "2.25"))
        #expect(try delta("spoilage", "1") == -1)
        #expect(try delta("distribution", "4") == -4)
        #expect(try delta("adjustment", "0") == 0, "a recount that found what the books said is readable")
        #expect(try delta("receipt", "99999999999") == 99_999_999_999, "a value the source holds is counted")
    }

    static func feedRecord(_ row: [String: String], change: String = "assert", file: String = "movements_HAY_202611010130.csv") -> JSONValue {
        .object(["feed": .string("legacy_wms"), "file": .string(file), "file_version": .int(1), "file_sha256": .string("abc"),
                 "record": .int(3), "delivery": .int(5), "change": .string(change), "row": .object(row.mapValues(JSONValue.string))])
    }

    static let legacyRow = ["movement_id": "HAY-1", "movement_type": "TRANSFER_OUT", "sku": "SKU-2", "site_code": "HAY-SAT", "lot": "",
                            "cases": "5", "lbs": "", "occurred_at": "11/01/2026 01:30", "reference": ""]

    @Test func legacyRowsUseLosAngelesTimeAndAreOneRowAcrossFiles() throws {
        let asserted = try InventoryNormalizer.fromLegacyFeed(Self.feedRecord(Self.legacyRow), processedAt: now).events
        let retracted = try InventoryNormalizer.fromLegacyFeed(Self.feedRecord(Self.legacyRow, change: "retract"), processedAt: now).events
        let elsewhere = try InventoryNormalizer.fromLegacyFeed(Self.feedRecord(Self.legacyRow, file: "movements_HAY-SAT_202611020130.csv"),
                                                               processedAt: now).events
        #expect(asserted.first?.deltaCases == -5)
        #expect(asserted.first?.occurredAt == BusinessTime.instant(fromISO: "2026-11-01T08:30:00Z"))
        #expect(asserted.first?.eventID == "legacy_wms:movements_HAY_202611010130.csv:v1:d5:3:assert")
        #expect(asserted.first?.source.rowID == "legacy_wms:legacy_wms:HAY-SAT|HAY-1")
        #expect(elsewhere.first?.source.rowID == asserted.first?.source.rowID, "the same movement in another file is the same row")
        #expect(elsewhere.first?.source.holder != asserted.first?.source.holder)
        #expect(asserted.first?.source.positionValue == FeedPosition.line(3, delivery: 5))
        #expect(retracted.first?.change == .retract)
        #expect(retracted.first?.source.positionValue == FeedPosition.retraction(delivery: 5))
        #expect(retracted.first?.eventID != asserted.first?.eventID)
    }

    @Test func anUnreadableFeedRowIsHeldUnreadableAndRejected() throws {
        let unreadable = try InventoryNormalizer.fromLegacyFeed(Self.feedRecord(Self.legacyRow.merging(["cases": "0"]) { $1 }), processedAt: now)
        #expect(unreadable.rejection != nil)
        #expect(unreadable.events.map(\.change) == [.unreadable])
        #expect(unreadable.events.first?.source.rowID == "legacy_wms:legacy_wms:HAY-SAT|HAY-1")
        let retracted = try InventoryNormalizer.fromLegacyFeed(Self.feedRecord(Self.legacyRow.merging(["cases": "0"]) { $1 }, change: "retract"),
                                                               processedAt: now)
        #expect(retracted.rejection == nil, "its assertion was dead-lettered already")
        #expect(retracted.events.map(\.change) == [.retract])
    }

    @Test func adjustmentFeedSpoilageCountsAsSpoilageOfMinusDelta() throws {
        func event(_ reason: String, _ delta: String) throws -> InventoryEvent? {
            try InventoryNormalizer.fromAdjustmentsFeed(.object([
                "file": .string("adjustments_20261120_1.csv"), "file_version": .int(2), "file_sha256": .string("s"), "record": .int(1),
                "delivery": .int(1),
                "change": .string("assert"),
                "row": .object(["adjustment_id": .string("ADJ-1"), "sku": .string("SKU-1"), "location_id": .string("OAK-MAIN"),
                                "lot_code": .string(""), "delta_cases": .string(delta), "reason": .string(reason),
                                "approved_by": .string("Ana"), "effective_date": .string("2026-11-20"), "notes": .string("x, \"y\"")]),
            ]), processedAt: now).events.first
        }
        let spoiled = try #require(try event("EXPIRED", "-2.5"))
        #expect(spoiled.movementType == .spoilage && spoiled.quantityCases == Decimal(string: "2.5") && spoiled.deltaCases == Decimal(string: "-2.5"))
        #expect(spoiled.businessDate == "2026-11-20")
        let recount = try #require(try event("RECOUNT", "3"))
        #expect(recount.movementType == .adjustment && recount.deltaCases == 3)
    }

    /// Bad input, by what is wrong with it: each is refused with a reason; nothing is guessed.
    static let badWarehouse: [String: JSONValue] = [
        "no op": .object(["before": .null, "after": .null]),
        "unknown op": envelope(op: "x", after: row()),
        "no source": .object(["op": .string("c"), "after": row()]),
        "create without after": envelope(op: "c"),
        "delete without before": envelope(op: "d"),
        "txn_id not an integer": envelope(op: "c", after: row(["txn_id": .string("forty-two")])),
        "unknown txn_type": envelope(op: "c", after: row(["txn_type": .string("teleport")])),
        "sku missing": envelope(op: "c", after: row(["sku": .null])),
        "sku empty": envelope(op: "c", after: row(["sku": .string("")])),
        "sku not text": envelope(op: "c", after: row(["sku": .int(7)])),
        "huge sku": envelope(op: "c", after: row(["sku": .string(String(repeating: "S", count: 5000))])),
        "quantity not a decimal": envelope(op: "c", after: row(["quantity_cases": .string("12,5")])),
        "quantity a float": envelope(op: "c", after: row(["quantity_cases": .double(1.5)])),
        "quantity beyond numeric(14,2)": envelope(op: "c", after: row(["quantity_cases": .string("9999999999999")])),
        "quantity negative receipt": envelope(op: "c", after: row(["quantity_cases": .string("-3")])),
        "quantity zero": envelope(op: "c", after: row(["quantity_cases": .string("0")])),
        "streamed without lsn": .object(["op": .string("c"), "after": row(), "source": .object(["txId": .int(1)])]),
        "occurred_at garbage": envelope(op: "c", after: row(["occurred_at": .string("yesterday")])),
        "transfer without destination": envelope(op: "c", after: row(["txn_type": .string("transfer")])),
        "weight not a decimal": envelope(op: "c", after: row(["weight_lbs": .string("heavy")])),
        "row not an object": envelope(op: "c", after: .array([])),
    ]

    @Test(arguments: badWarehouse.keys.sorted())
    func badWarehouseRecordsAreRejected(why: String) {
        let error = #expect(throws: Rejection.self, "\(why)") { try InventoryNormalizer.fromWarehouse(Self.badWarehouse[why], processedAt: now) }
        #expect(error?.reason.isEmpty == false)
    }

    @Test(arguments: [
        ("unknown movement type", ["movement_type": "LOST"]),
        ("bad local time", ["occurred_at": "2026-11-01 01:30"]),
        ("nonexistent date", ["occurred_at": "02/30/2026 10:00"]),
        ("cases negative", ["cases": "-1"]),
        ("cases text", ["cases": "five"]),
        ("lbs text", ["lbs": "n/a"]),
    ])
    func badLegacyRowsAreRejected(why: String, overrides: [String: String]) throws {
        let row = Self.legacyRow.merging(overrides) { _, new in new }
        #expect(try InventoryNormalizer.fromLegacyFeed(Self.feedRecord(row), processedAt: now).rejection != nil, "\(why)")
    }

    @Test func malformedFeedRecordsAreRejected() {
        #expect(throws: Rejection.self) { try InventoryNormalizer.fromLegacyFeed(.object(["row": .null]), processedAt: now) }
        #expect(throws: Rejection.self) { try InventoryNormalizer.fromLegacyFeed(Self.feedRecord(Self.legacyRow, change: "maybe"), processedAt: now) }
        #expect(throws: Rejection.self, "no identity") {
            try InventoryNormalizer.fromLegacyFeed(Self.feedRecord(Self.legacyRow.merging(["movement_id": ""]) { $1 }), processedAt: now)
        }
    }
}

/// The documented schema and the encoder agree on every field, so the document cannot go stale.
@Suite struct CanonicalSchemaTests {
    @Test func inventorySchemaListsExactlyTheEncodedFields() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("topics/schemas/inventory_events.v1.json")
        let schema = try JSONValue.parse(Array(try Data(contentsOf: path)))
        let event = try #require(try InventoryNormalizer.fromWarehouse(
            InventoryNormalizerTests.envelope(op: "c", after: InventoryNormalizerTests.row()), processedAt: Date()).events.first).json()
        let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(required == Set(event.objectValue?.keys.map { $0 } ?? []))
        let sourceRequired = Set(schema["properties"]?["source"]?["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(sourceRequired == Set(event["source"]?.objectValue?.keys.map { $0 } ?? []))
        #expect(schema["properties"]?["schema_version"]?["const"] == .int(InventoryEvent.schemaVersion))
    }
}
