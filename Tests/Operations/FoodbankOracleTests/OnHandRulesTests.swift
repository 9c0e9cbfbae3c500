import Testing

/// "On-hand for (sku, location, lot) is the sum over movements of: ..." and the weight rules, on
/// `ops.inventory_on_hand` (key sku, location_id, lot_code; values on_hand_cases, on_hand_lbs, last_movement_at).
@Suite struct OnHandRulesTests {
    static let noonUTC = "2026-03-08T18:00:00.000000Z"

    /// "receipt `+q`" with "cases times the item's `unit_weight_lbs`", and "`lot_code` is `''` for 'no lot'".
    @Test func aReceiptAddsItsCasesAndALotOfNullIsEmpty() throws {
        let rows = try OracleHarness.onHand(SnapshotBuilder().item(weight: "2.5").movement(id: 1, type: "receipt", qty: "10"))
        #expect(rows == [["SKU-1", "OAK-MAIN", ""]: ["10", "25", Self.noonUTC]])
    }

    /// "transfer `-q` at the source, `+q` at the destination".
    @Test func aTransferMovesCasesFromItsSourceToItsDestination() throws {
        let rows = try OracleHarness.onHand(SnapshotBuilder().item(weight: "2.5")
            .movement(id: 1, type: "transfer", location: "OAK-MAIN", to: "OAK-COLD", lot: "L1", qty: "4"))
        #expect(rows == [
            ["SKU-1", "OAK-MAIN", "L1"]: ["-4", "-10", Self.noonUTC],
            ["SKU-1", "OAK-COLD", "L1"]: ["4", "10", Self.noonUTC],
        ])
    }

    /// "adjustment its signed `delta`"; "A movement's own weight is a magnitude: its sign follows the
    /// movement's effect on the cases (a negative adjustment removes its pounds)".
    @Test func anAdjustmentIsSignedAndItsOwnWeightIsAMagnitude() throws {
        let rows = try OracleHarness.onHand(SnapshotBuilder().item(weight: "2.5")
            .movement(id: 1, type: "adjustment", lot: "A", qty: "-3", lbs: "7.5")
            .movement(id: 2, type: "adjustment", lot: "B", qty: "2", lbs: "-5")
            .movement(id: 3, type: "adjustment", lot: "C", qty: "-2"))
        #expect(rows == [
            ["SKU-1", "OAK-MAIN", "A"]: ["-3", "-7.5", Self.noonUTC],
            ["SKU-1", "OAK-MAIN", "B"]: ["2", "5", Self.noonUTC],
            ["SKU-1", "OAK-MAIN", "C"]: ["-2", "-5", Self.noonUTC],
        ])
    }

    /// "spoilage `-q`; distribution `-q`", and `last_movement_at` is the latest movement's time.
    @Test func spoilageAndDistributionRemoveCases() throws {
        let rows = try OracleHarness.onHand(SnapshotBuilder().item(weight: "2.5")
            .movement(id: 1, type: "receipt", qty: "10", at: "2026-03-07 18:00:00+00")
            .movement(id: 2, type: "spoilage", qty: "1", at: "2026-03-08 20:15:00+00")
            .movement(id: 3, type: "distribution", qty: "4", at: "2026-03-08 19:00:00+00"))
        #expect(rows == [["SKU-1", "OAK-MAIN", ""]: ["5", "12.5", "2026-03-08T20:15:00.000000Z"]])
    }

    /// "The weight of a movement is its own `weight_lbs`/`lbs` when given, else its cases times the item's
    /// `unit_weight_lbs` (0 for an unknown sku)."
    @Test func ownWeightWinsAndAnUnknownSkuWeighsNothing() throws {
        let rows = try OracleHarness.onHand(SnapshotBuilder().item(weight: "2.5")
            .movement(id: 1, type: "receipt", lot: "OWN", qty: "10", lbs: "30")
            .movement(id: 2, type: "receipt", sku: "SKU-X", qty: "10")
            .movement(id: 3, type: "receipt", sku: "SKU-X", lot: "OWN", qty: "10", lbs: "40"))
        #expect(rows == [
            ["SKU-1", "OAK-MAIN", "OWN"]: ["10", "30", Self.noonUTC],
            ["SKU-X", "OAK-MAIN", ""]: ["10", "0", Self.noonUTC],
            ["SKU-X", "OAK-MAIN", "OWN"]: ["10", "40", Self.noonUTC],
        ])
    }

    /// "A version that cannot be read (zero or negative cases where they must be positive ...)" counts not at all.
    @Test func aWarehouseRowWithZeroOrNegativeCasesCountsNotAtAll() throws {
        let rows = try OracleHarness.onHand(SnapshotBuilder().item(weight: "2.5")
            .movement(id: 1, type: "receipt", lot: "ZERO", qty: "0")
            .movement(id: 2, type: "receipt", lot: "NEG", qty: "-5")
            .movement(id: 3, type: "distribution", lot: "NEG", qty: "-2")
            .movement(id: 4, type: "spoilage", lot: "ZERO", qty: "0.00")
            .movement(id: 5, type: "receipt", lot: "OK", qty: "1"))
        #expect(rows == [["SKU-1", "OAK-MAIN", "OK"]: ["1", "2.5", Self.noonUTC]])
    }

    /// Decision: a warehouse transfer without a `to_location_id` cannot be read, and counts at neither end.
    @Test func aTransferWithoutADestinationCountsNotAtAll() throws {
        let rows = try OracleHarness.onHand(SnapshotBuilder().item(weight: "2.5")
            .movement(id: 1, type: "transfer", qty: "3")
            .movement(id: 2, type: "transfer", to: "", qty: "3"))
        #expect(rows.isEmpty)
    }

    /// "feed 5: `TRANSFER_OUT` `-q`, `TRANSFER_IN` `+q`" (and RECEIPT +q, SPOILAGE and DISTRIBUTION -q), at the
    /// row's `site_code`, in local Pacific time: 12:00 PDT on 2026-03-08 is 19:00 UTC.
    @Test func feedFiveMovementTypesAtTheSite() throws {
        let file = FeedCSV.movements([
            FeedCSV.movement("HAY-1", type: "RECEIPT", cases: "10", at: "03/08/2026 08:00"),
            FeedCSV.movement("HAY-2", type: "TRANSFER_OUT", cases: "3", at: "03/08/2026 09:00"),
            FeedCSV.movement("HAY-3", type: "TRANSFER_IN", cases: "2", at: "03/08/2026 12:00"),
            FeedCSV.movement("HAY-4", type: "SPOILAGE", cases: "1", at: "03/08/2026 10:00"),
            FeedCSV.movement("HAY-5", type: "DISTRIBUTION", cases: "4", at: "03/08/2026 11:00"),
            FeedCSV.movement("HAY-6", type: "RECEIPT", cases: "5", lot: "L7", lbs: "11", at: "03/07/2026 12:00"),
        ])
        let rows = try OracleHarness.onHand(SnapshotBuilder().item(weight: "2").delivered(file))
        #expect(rows == [
            ["SKU-1", "HAY-SAT", ""]: ["4", "8", "2026-03-08T19:00:00.000000Z"],
            ["SKU-1", "HAY-SAT", "L7"]: ["5", "11", "2026-03-07T20:00:00.000000Z"],
        ])
    }

    /// "adjustment its signed `delta`" for feed 6, spoilage reasons included (weight from the unit weight).
    /// Decision: a feed-6 row's `last_movement_at` is noon in Los Angeles on its `effective_date`.
    @Test func feedSixAddsItsSignedDelta() throws {
        let file = FeedCSV.adjustments([
            FeedCSV.adjustment("ADJ-1", delta: "-2", reason: "RECOUNT"),
            FeedCSV.adjustment("ADJ-2", delta: "5", reason: "OTHER", lot: "L1"),
            FeedCSV.adjustment("ADJ-3", delta: "-1", reason: "SPOILAGE", lot: "L1"),
            FeedCSV.adjustment("ADJ-4", delta: "-1", reason: "EXPIRED", lot: "L1", date: "2026-03-09"),
        ])
        let rows = try OracleHarness.onHand(SnapshotBuilder().item(weight: "2.5").delivered(file))
        #expect(rows == [
            ["SKU-1", "OAK-MAIN", ""]: ["-2", "-5", "2026-03-08T19:00:00.000000Z"],
            ["SKU-1", "OAK-MAIN", "L1"]: ["3", "7.5", "2026-03-09T19:00:00.000000Z"],
        ])
    }

    /// "Stock moves only through: `wms.inventory_transactions`, feed 5 and feed 6": donations and shipments
    /// are witnesses, never added to the balance.
    @Test func donationsAndShipmentsDoNotMoveStock() throws {
        let rows = try OracleHarness.onHand(SnapshotBuilder().item(weight: "2.5")
            .intake(1, donation: "DN-1").donationLine(intake: 1, cases: "10", lbs: "25")
            .order("O-1").orderLine(order: "O-1", requested: "4")
            .shipment("S-1", order: "O-1").shipmentLine(shipment: "S-1", cases: "4"))
        #expect(rows.isEmpty)
    }
}
