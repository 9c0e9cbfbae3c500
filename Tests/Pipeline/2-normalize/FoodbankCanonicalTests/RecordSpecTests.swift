@testable import FoodbankCanonical
import FoodbankJSON
import Foundation
import Testing

@Suite struct RecordSpecTests {
    let now = Date(timeIntervalSince1970: 1_795_400_000)

    static func envelope(op: String, before: JSONValue = .null, after: JSONValue = .null, txID: Int64 = 900, lsn: Int64 = 5000) -> JSONValue {
        .object(["op": .string(op), "before": before, "after": after,
                 "source": .object(["txId": .int(txID), "lsn": .int(lsn), "ts_ms": .int(1_795_362_716_373)])])
    }

    static func object(_ fields: [String: JSONValue], _ overrides: [String: JSONValue] = [:]) -> JSONValue {
        .object(fields.merging(overrides) { _, new in new })
    }

    static let intake: [String: JSONValue] = [
        "intake_id": .int(17), "donation_id": .string("D-100"), "donor_id": .string("DON-1"), "location_id": .string("OAK-MAIN"),
        "received_at": .string("2026-11-22T06:30:00Z"), "status": .string("received"), "updated_at": .string("2026-11-22T06:30:00Z"),
    ]
    static let donationLine: [String: JSONValue] = [
        "intake_id": .int(17), "line_no": .int(1), "sku": .string("SKU-1"), "quantity_cases": .string("4.00"),
        "weight_lbs": .string("80.00"), "lot_code": .null, "fair_market_value_usd": .string("120.50"),
    ]
    static let shipmentLine: [String: JSONValue] = [
        "shipment_id": .string("SH-9"), "line_no": .int(2), "order_line_no": .int(1), "sku": .string("SKU-1"), "lot_code": .string("L1"),
        "quantity_cases": .string("3.00"), "weight_lbs": .null,
    ]

    func spec(_ table: String) throws -> RecordSpec { try #require(RecordSpec.all.first { $0.table == table }) }

    func records(_ outcome: SpecOutcome) throws -> [CanonicalRecord] {
        guard case .records(let records) = outcome else { Issue.record("expected records, got \(outcome)"); return [] }
        return records
    }

    @Test func everyDeclaredTableHasATopicRule() {
        for spec in RecordSpec.all {
            #expect(RawSource.forTopic("foodbank.cdc.\(spec.cdcTopicSuffix)") == .table(spec.table))
        }
        #expect(RawSource.forTopic("foodbank.cdc.warehouse.wms.items") == nil, "reference tables are not normalized")
    }

    @Test func intakeIsKeyedByDonationIDAndDatedInLosAngeles() throws {
        let record = try #require(try records(spec("intake.donations").normalize(Self.envelope(op: "c", after: .object(Self.intake)),
                                                                                   processedAt: now, keyOf: { _ in nil })).first)
        #expect(record.key == "D-100")
        #expect(record.eventID == "donations:intake.donations:17:5000:new")
        #expect(record.json()["business_date"] == .string("2026-11-21"), "06:30 UTC is the evening before in Los Angeles")
        #expect(record.json()["record_type"] == .string("intake"))
        #expect(record.json()["updated_at"] == nil, "undeclared columns are not carried")
        #expect(record.source.position == "5000")
    }

    @Test func aLineWaitsForItsHeaderThenTakesItsKey() throws {
        let line = Self.envelope(op: "c", after: .object(Self.donationLine))
        let waiting = try spec("intake.donation_lines").normalize(line, processedAt: now) { _ in nil }
        #expect(waiting == .waitingFor(ParentReference(kind: "intake", id: "17")))
        let facts = try spec("intake.donations").parentFacts(Self.envelope(op: "c", after: .object(Self.intake)))
        #expect(facts == [ParentFact(parent: ParentReference(kind: "intake", id: "17"), key: "D-100", position: 5000)])
        let record = try #require(try records(spec("intake.donation_lines").normalize(line, processedAt: now) { _ in "D-100" }).first)
        #expect(record.key == "D-100" && record.json()["donation_id"] == .string("D-100"))
        #expect(record.json()["quantity_cases"] == .string("4"))
        #expect(record.json()["business_time"] == .null, "a line is dated by its header")
    }

    @Test func anEmptyLotCodeIsNoLotNotAnUnreadableLine() throws {
        let line = Self.envelope(op: "c", after: Self.object(Self.shipmentLine, ["lot_code": .string("")]))
        let record = try #require(try records(spec("pick.shipment_lines").normalize(line, processedAt: now) { _ in "ORD-1" }).first)
        #expect(record.json()["lot_code"] == .null && record.json()["quantity_cases"] == .string("3"))
        let empty = Self.envelope(op: "c", after: Self.object(Self.shipmentLine, ["sku": .string("")]))
        #expect(throws: (any Error).self, "a required text left empty is still refused") {
            _ = try spec("pick.shipment_lines").normalize(empty, processedAt: now) { _ in "ORD-1" }
        }
    }

    @Test func shipmentLinesAreKeyedByTheirShipmentsOrder() throws {
        let facts = try spec("pick.shipments").parentFacts(Self.envelope(op: "u", before: Self.object([
            "shipment_id": .string("SH-9"), "order_id": .string("ORD-1"), "location_id": .string("OAK-MAIN"), "shipped_at": .null, "status": .string("picked"),
        ]), after: Self.object([
            "shipment_id": .string("SH-9"), "order_id": .string("ORD-1"), "location_id": .string("OAK-MAIN"),
            "shipped_at": .string("2026-11-20T18:00:00Z"), "status": .string("shipped"),
        ])))
        #expect(facts.map(\.key) == ["ORD-1"])
        let record = try #require(try records(spec("pick.shipment_lines").normalize(Self.envelope(op: "c", after: .object(Self.shipmentLine)),
                                                                                     processedAt: now) { $0.parent.kind == "shipment" && $0.parent.id == "SH-9" && $0.asOf == 5000 ? "ORD-1" : nil }).first)
        #expect(record.key == "ORD-1" && record.eventID == "fulfillment:pick.shipment_lines:SH-9/2:5000:new")
        #expect(record.json()["weight_lbs"] == .null)
    }

    @Test func updatesAreTheNewVersionAndDeletesRetract() throws {
        let orders = try spec("agency.orders")
        let row: [String: JSONValue] = ["order_id": .string("ORD-1"), "agency_id": .string("AG-1"), "requested_for": .int(20_779),
                                        "status": .string("submitted"), "created_at": .string("2026-11-20T18:00:00Z")]
        let update = try records(orders.normalize(Self.envelope(op: "u", before: .object(row), after: Self.object(row, ["status": .string("approved")]), txID: 901),
                                                  processedAt: now) { _ in nil })
        #expect(update.map(\.isRetraction) == [false], "an update is the row's new version alone")
        #expect(update.map(\.eventID) == ["agency:agency.orders:ORD-1:5000:new"])
        #expect(update.last?.json()["requested_for"] == .string("2026-11-22"), "Debezium dates are days since 1970")
        let delete = try records(orders.normalize(Self.envelope(op: "d", before: .object(row), txID: 902), processedAt: now) { _ in nil })
        #expect(delete.map(\.isRetraction) == [true])
        #expect(try records(orders.normalize(nil, processedAt: now) { _ in nil }).isEmpty, "tombstones carry no business event")
    }

    @Test func replayAndSnapshotOfTheSameVersionGiveTheSameIDs() throws {
        let line = try spec("intake.donation_lines")
        let a = try records(line.normalize(Self.envelope(op: "c", after: .object(Self.donationLine)), processedAt: now) { _ in "D-100" })
        let b = try records(line.normalize(Self.envelope(op: "r", after: .object(Self.donationLine)), processedAt: now.addingTimeInterval(99)) { _ in "D-100" })
        #expect(a.map(\.eventID) == b.map(\.eventID))
    }

    /// Bad input of the record specs, by what is wrong; each refused with a reason.
    static let bad: [String: (table: String, envelope: JSONValue)] = [
        "envelope not an object": ("agency.orders", .array([])),
        "unknown op": ("intake.donations", envelope(op: "t", after: .object(intake))),
        "no txId": ("intake.donations", .object(["op": .string("c"), "after": .object(intake), "source": .object([:])])),
        "intake_id as text": ("intake.donations", envelope(op: "c", after: object(intake, ["intake_id": .string("17")]))),
        "intake_id negative": ("intake.donations", envelope(op: "c", after: object(intake, ["intake_id": .int(-1)]))),
        "intake_id a float": ("intake.donations", envelope(op: "c", after: object(intake, ["intake_id": .double(1.5)]))),
        "unknown status": ("intake.donations", envelope(op: "c", after: object(intake, ["status": .string("lost")]))),
        "received_at not a time": ("intake.donations", envelope(op: "c", after: object(intake, ["received_at": .string("soon")]))),
        "donation_id missing": ("intake.donations", envelope(op: "c", after: object(intake, ["donation_id": .null]))),
        "donation_id huge": ("intake.donations", envelope(op: "c", after: object(intake, ["donation_id": .string(String(repeating: "9", count: 300))]))),
        "quantity beyond any column": ("intake.donation_lines", envelope(op: "c", after: object(donationLine, ["quantity_cases": .string("5000000000000")]))),
        "quantity not a decimal": ("intake.donation_lines", envelope(op: "c", after: object(donationLine, ["quantity_cases": .string("1e3")]))),
        "weight missing": ("intake.donation_lines", envelope(op: "c", after: object(donationLine, ["weight_lbs": .null]))),
        "requested_for as text": ("agency.orders", envelope(op: "c", after: .object(["order_id": .string("O"), "agency_id": .string("A"),
            "requested_for": .string("2026-11-22"), "status": .string("submitted"), "created_at": .string("2026-11-20T18:00:00Z")]))),
        "requested_for absurd": ("agency.orders", envelope(op: "c", after: .object(["order_id": .string("O"), "agency_id": .string("A"),
            "requested_for": .int(99_999_999), "status": .string("submitted"), "created_at": .string("2026-11-20T18:00:00Z")]))),
        // Found probing the debezium-envelope fuzz target: abs(Int64.min) trapped.
        "requested_for Int64.min": ("agency.orders", envelope(op: "c", after: .object(["order_id": .string("O"), "agency_id": .string("A"),
            "requested_for": .int(.min), "status": .string("submitted"), "created_at": .string("2026-11-20T18:00:00Z")]))),
        "update without after": ("pick.shipment_lines", envelope(op: "u", before: .object(shipmentLine))),
        "line_no missing": ("pick.shipment_lines", envelope(op: "c", after: object(shipmentLine, ["line_no": .null]))),
        "sku not text": ("agency.order_lines", envelope(op: "c", after: .object(["order_id": .string("O"), "line_no": .int(1), "sku": .bool(true),
                                                                                  "quantity_cases_requested": .string("1")]))),
    ]

    @Test(arguments: bad.keys.sorted())
    func badRecordsAreRejectedWithAReason(why: String) throws {
        let (table, envelope) = try #require(Self.bad[why])
        let error = #expect(throws: Rejection.self, "\(why)") { try spec(table).normalize(envelope, processedAt: now) { _ in "K" } }
        #expect(error?.reason.isEmpty == false)
    }

    @Test func rawBytesThatAreNotJSONOrNotUTF8AreRejected() {
        let source = RawSource.table("agency.orders")
        #expect(throws: Rejection.self) { try source.outputs(Array("{\"op\":".utf8), processedAt: now) { _ in nil } }
        #expect(throws: Rejection.self) { try source.outputs([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D], processedAt: now) { _ in nil } }
        #expect(throws: Rejection.self, "feeds have no tombstones") { try RawSource.legacyFeed.outputs(nil, processedAt: now) { _ in nil } }
        #expect((try? source.outputs(nil, processedAt: now) { _ in nil }) == .outputs([]))
    }

    /// Found probing the debezium-envelope fuzz target (its first 1M runs had not): a source.ts_ms
    /// near Int64.max trapped when the record's committed_at was formatted (its milliseconds no
    /// longer fit an Int). A commit time the canonical format cannot write (years 0001-9999) is a
    /// rejection, for tables and movements alike.
    @Test func aCommitTimeOutsideTheWritableYearsIsRejected() throws {
        func raw(_ millis: Int64, _ after: JSONValue) -> [UInt8] {
            JSONValue.object(["op": .string("c"), "after": after, "source": .object(["txId": .int(1), "lsn": .int(5000), "ts_ms": .int(millis)])]).encoded()
        }
        let movement: JSONValue = .object(["txn_id": .int(1), "txn_type": .string("receipt"), "sku": .string("SKU-1"), "location_id": .string("OAK-MAIN"),
                                           "quantity_cases": .string("2"), "occurred_at": .string("2026-11-22T06:30:00Z")])
        for millis in [Int64.max, Int64.min, 253_402_300_800_000, -62_135_596_800_001] {
            for (source, after) in [(RawSource.table("intake.donations"), Self.object(Self.intake)), (.warehouseMovements, movement)] {
                let error = #expect(throws: Rejection.self, "\(millis)") { try source.outputs(raw(millis, after), processedAt: now) { _ in nil } }
                #expect(error?.reason.contains("source.ts_ms") == true)
            }
        }
        let last = try RawSource.table("intake.donations").outputs(raw(253_402_300_799_999, Self.object(Self.intake)), processedAt: now) { _ in nil }
        guard case .outputs(let outputs) = last else { Issue.record("the last writable millisecond was not read: \(last)"); return }
        #expect(outputs.first?.value["source"]?["committed_at"] == .string("9999-12-31T23:59:59.999000Z"))
    }

    /// The committed schema documents are what the specs generate: regenerate with `foodbank-ctl schemas`.
    @Test(arguments: CanonicalModel.allCases)
    func schemaDocumentsMatchTheSpecs(model: CanonicalModel) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("topics/schemas/\(CanonicalSchema.fileName(model))")
        let committed = try JSONValue.parse(Array(try Data(contentsOf: path)))
        #expect(committed == CanonicalSchema.document(model), "run `foodbank-ctl schemas` to regenerate \(path.lastPathComponent)")
        // Every field a record carries is declared in its record type's schema.
        for spec in RecordSpec.all where spec.model == model {
            let record = CanonicalRecord(model: model, recordType: spec.recordType, eventID: "e", isRetraction: false, key: "k",
                                         fields: Dictionary(uniqueKeysWithValues: spec.fields.map { ($0.name, JSONValue.null) }).merging([model.keyField: .string("k")]) { _, n in n },
                                         businessTime: nil, source: SourceCoordinates(system: "s", object: "o", sourceID: "i", version: "v", position: "p", committedAt: nil),
                                         processedAt: now)
            let schema = committed["oneOf"]?.arrayValue?.first { $0["properties"]?["record_type"]?["const"] == .string(spec.recordType) }
            let required = Set(schema?["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            #expect(Set(record.json().objectValue?.keys.map { $0 } ?? []) == required, "\(spec.recordType)")
        }
    }
}
