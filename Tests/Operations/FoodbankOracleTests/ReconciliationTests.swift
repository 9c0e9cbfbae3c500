@testable import FoodbankOracle
import Testing

/// `finance.reconciliation_exceptions`: key (business_date, kind, reference_id); values location_id, expected,
/// actual, delta. "`expected` is what the witness says, `actual` what the movements say, `delta = actual -
/// expected`, one row where it is not zero."
@Suite struct ReconciliationTests {
    static func exceptions(_ builder: SnapshotBuilder) throws -> OracleHarness.Rows {
        try OracleHarness.compute(OracleQueries.reconciliationExceptions, builder.item(weight: "1"), from: "2026-03-07", to: "2026-03-09")
    }

    // MARK: donation_vs_receipt

    /// "per donation id, the cases of its counted intake ... against all receipts referencing it (`reference_type =
    /// 'donation'`, or a feed-5 `RECEIPT` whose `reference` is that id)".
    @Test func donationAgainstWarehouseAndFeedReceipts() throws {
        let witnessed = SnapshotBuilder()
            .intake(1, donation: "DN-1").donationLine(intake: 1, line: 1, cases: "6").donationLine(intake: 1, line: 2, cases: "4")
            .movement(id: 1, type: "receipt", qty: "7", refType: "donation", ref: "DN-1")
        #expect(try Self.exceptions(witnessed) == [["2026-03-08", "donation_vs_receipt", "DN-1"]: ["OAK-MAIN", "10", "7", "-3"]])
        let matched = witnessed.delivered(FeedCSV.movements([FeedCSV.movement("HAY-1", cases: "3", ref: "DN-1")]))
        #expect(try Self.exceptions(matched).isEmpty, "no row where delta is 0")
    }

    /// Only receipts count, with `reference_type = 'donation'`: a `manual` reference, an adjustment, or a feed-5
    /// TRANSFER_IN naming the id are not receipts of it.
    @Test func onlyReceiptsReferencingTheDonationCount() throws {
        let rows = try Self.exceptions(SnapshotBuilder()
            .intake(1, donation: "DN-1").donationLine(intake: 1, cases: "5")
            .movement(id: 1, type: "receipt", qty: "5", refType: "manual", ref: "DN-1")
            .movement(id: 2, type: "adjustment", qty: "5", refType: "donation", ref: "DN-1")
            .delivered(FeedCSV.movements([FeedCSV.movement("HAY-1", type: "TRANSFER_IN", cases: "5", ref: "DN-1")])))
        #expect(rows == [["2026-03-08", "donation_vs_receipt", "DN-1"]: ["OAK-MAIN", "5", "0", "-5"]])
    }

    /// "(dated by `received_at`, at its `location_id`)": the intake's date and location, not the receipt's; and the
    /// counted intake's cases (the highest not voided).
    @Test func datedAndLocatedByTheCountedIntake() throws {
        let rows = try Self.exceptions(SnapshotBuilder()
            .intake(1, donation: "DN-1", location: "SJ-MAIN").donationLine(intake: 1, cases: "9")
            .intake(2, donation: "DN-1", receivedAt: "2026-03-07 18:00:00+00").donationLine(intake: 2, cases: "4")
            .intake(3, donation: "DN-1", status: "voided").donationLine(intake: 3, cases: "1")
            .movement(id: 1, type: "receipt", location: "OAK-COLD", qty: "3", refType: "donation", ref: "DN-1"))
        #expect(rows == [["2026-03-07", "donation_vs_receipt", "DN-1"]: ["OAK-MAIN", "4", "3", "-1"]])
    }

    /// "Receipts referencing a donation id that has no counted intake are a `donation_vs_receipt` row with expected 0,
    /// dated and located by the earliest of those receipts" (here DN-9 has only a voided intake).
    @Test func receiptsWithoutACountedIntakeAreExpectedZero() throws {
        let rows = try Self.exceptions(SnapshotBuilder()
            .intake(1, donation: "DN-9", status: "voided").donationLine(intake: 1, cases: "6")
            .movement(id: 1, type: "receipt", location: "OAK-MAIN", qty: "2", refType: "donation", ref: "DN-9")
            .delivered(FeedCSV.movements([FeedCSV.movement("HAY-1", cases: "4", at: "03/07/2026 09:00", ref: "DN-9")])))
        #expect(rows == [["2026-03-07", "donation_vs_receipt", "DN-9"]: ["HAY-SAT", "0", "6", "6"]])
    }

    /// "earliest by business time, then by source identity". Decision: source identity orders by system
    /// (`adjustments`, `legacy_wms`, `warehouse`), then its key, warehouse txn ids numerically (9 before 10).
    @Test func tiesOnTimeGoToTheFirstSourceIdentity() throws {
        let warehouse = try Self.exceptions(SnapshotBuilder()
            .movement(id: 10, type: "receipt", location: "OAK-COLD", qty: "1", refType: "donation", ref: "DN-9")
            .movement(id: 9, type: "receipt", location: "SJ-MAIN", qty: "1", refType: "donation", ref: "DN-9"))
        #expect(warehouse == [["2026-03-08", "donation_vs_receipt", "DN-9"]: ["SJ-MAIN", "0", "2", "2"]])
        let mixed = try Self.exceptions(SnapshotBuilder()
            .movement(id: 1, type: "receipt", location: "OAK-COLD", qty: "1", refType: "donation", ref: "DN-9", at: "2026-03-08 17:00:00+00")
            .delivered(FeedCSV.movements([FeedCSV.movement("HAY-1", cases: "1", at: "03/08/2026 10:00", ref: "DN-9")])))
        #expect(mixed == [["2026-03-08", "donation_vs_receipt", "DN-9"]: ["HAY-SAT", "0", "2", "2"]])
    }

    // MARK: shipment_vs_distribution

    /// "per order id, the cases on its shipped shipments ... against all distributions referencing it (`reference_type
    /// = 'agency_order'`, or a feed-5 `DISTRIBUTION` whose `reference` is that id)".
    @Test func ordersShipmentsAgainstDistributions() throws {
        let rows = try Self.exceptions(SnapshotBuilder()
            .order("O-1").orderLine(order: "O-1", requested: "12")
            .shipment("S-1", order: "O-1").shipmentLine(shipment: "S-1", line: 1, cases: "6").shipmentLine(shipment: "S-1", line: 2, cases: "4")
            .movement(id: 1, type: "distribution", qty: "5", refType: "agency_order", ref: "O-1")
            .movement(id: 2, type: "distribution", qty: "5", refType: "manual", ref: "O-1")
            .delivered(FeedCSV.movements([
                FeedCSV.movement("HAY-1", type: "DISTRIBUTION", cases: "2", ref: "O-1"),
                FeedCSV.movement("HAY-2", type: "SPOILAGE", cases: "2", ref: "O-1"),
            ])))
        #expect(rows == [["2026-03-08", "shipment_vs_distribution", "O-1"]: ["OAK-MAIN", "10", "7", "-3"]])
    }

    /// "dated by the latest `shipped_at`, at the shipment's location"; a void shipment and a picked one never shipped
    /// are not witnesses.
    @Test func datedAndLocatedByTheLatestShippedShipment() throws {
        let rows = try Self.exceptions(SnapshotBuilder()
            .order("O-1").orderLine(order: "O-1", requested: "12")
            .shipment("S-1", order: "O-1", location: "OAK-COLD", shippedAt: "2026-03-08 18:00:00+00").shipmentLine(shipment: "S-1", cases: "6")
            .shipment("S-2", order: "O-1", location: "SJ-MAIN", shippedAt: "2026-03-07 18:00:00+00").shipmentLine(shipment: "S-2", cases: "4")
            .shipment("S-3", order: "O-1", location: "FRE-MAIN", shippedAt: "2026-03-09 18:00:00+00", status: "void")
            .shipmentLine(shipment: "S-3", cases: "1")
            .shipment("S-4", order: "O-1", location: "FRE-MAIN", shippedAt: nil, status: "picked").shipmentLine(shipment: "S-4", cases: "1"))
        #expect(rows == [["2026-03-08", "shipment_vs_distribution", "O-1"]: ["OAK-COLD", "10", "0", "-10"]])
    }

    /// "distributions referencing an order with no shipped shipment are a `shipment_vs_distribution` row with expected
    /// 0, dated and located by the earliest of those distributions": a picked-but-unshipped shipment is no witness.
    @Test func distributionsWithoutAShippedShipmentAreExpectedZero() throws {
        let rows = try Self.exceptions(SnapshotBuilder()
            .order("O-1").orderLine(order: "O-1", requested: "5")
            .shipment("S-1", order: "O-1", location: "SJ-MAIN", shippedAt: nil, status: "picked").shipmentLine(shipment: "S-1", cases: "5")
            .movement(id: 1, type: "distribution", location: "OAK-MAIN", qty: "3", refType: "agency_order", ref: "O-1")
            .movement(id: 2, type: "distribution", location: "OAK-COLD", qty: "2", refType: "agency_order", ref: "O-1",
                      at: "2026-03-07 18:00:00+00"))
        #expect(rows == [["2026-03-07", "shipment_vs_distribution", "O-1"]: ["OAK-COLD", "0", "5", "5"]])
    }

    /// "one row where it is not zero": a shipped order fully distributed has none; rows are dated within the range.
    @Test func noRowWhereDeltaIsZeroAndOnlyDaysInRange() throws {
        let rows = try Self.exceptions(SnapshotBuilder()
            .order("O-1").orderLine(order: "O-1", requested: "5")
            .shipment("S-1", order: "O-1").shipmentLine(shipment: "S-1", cases: "5")
            .movement(id: 1, type: "distribution", qty: "5", refType: "agency_order", ref: "O-1")
            .intake(1, donation: "DN-1", receivedAt: "2026-03-12 18:00:00+00").donationLine(intake: 1, cases: "5"))
        #expect(rows.isEmpty)
    }
}
