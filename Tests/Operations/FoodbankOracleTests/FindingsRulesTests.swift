import Testing

/// `ops.dq_violations`' open findings, as `check_name|entity_key`.
@Suite struct FindingsRulesTests {
    /// "every live record that names it is a `missing_sku` finding": a movement (of any of the three systems), a donation
    /// line, an order line and a shipment line naming skus the master does not hold. Decision: the entity key is the sku.
    @Test func everyKindOfRecordNamingAnUnknownSkuIsMissingSku() throws {
        let findings = try OracleHarness.findings(SnapshotBuilder().item(weight: "1")
            .movement(id: 1, type: "receipt", sku: "SKU-M", qty: "5")
            .intake(1, donation: "DN-1").donationLine(intake: 1, sku: "SKU-D", cases: "2")
            .order("O-1").orderLine(order: "O-1", sku: "SKU-O", requested: "3")
            .shipment("S-1", order: "O-1").shipmentLine(shipment: "S-1", sku: "SKU-S", cases: "3")
            .order("O-2").orderLine(order: "O-2", requested: "1")
            .delivered(FeedCSV.movements([FeedCSV.movement("HAY-1", cases: "1", sku: "SKU-F5")]))
            .delivered(FeedCSV.adjustments([FeedCSV.adjustment("ADJ-1", delta: "1", sku: "SKU-F6")])))
        #expect(findings == ["missing_sku|SKU-M", "missing_sku|SKU-D", "missing_sku|SKU-O", "missing_sku|SKU-S",
                             "missing_sku|SKU-F5", "missing_sku|SKU-F6"])
    }

    /// "an item deleted from `wms.items` is unknown again, like any sku the master does not hold": with the item
    /// absent from the snapshot its movements are a finding, and its derived weight becomes 0.
    @Test func aDeletedItemIsUnknownAgain() throws {
        let builder = SnapshotBuilder().movement(id: 1, type: "receipt", qty: "10")
        #expect(try OracleHarness.findings(builder) == ["missing_sku|SKU-1"])
        #expect(try OracleHarness.onHand(builder) == [["SKU-1", "OAK-MAIN", ""]: ["10", "0", "2026-03-08T18:00:00.000000Z"]])
        #expect(try OracleHarness.findings(builder.item(weight: "2")).isEmpty)
    }

    /// Decision: a sku named only by a record the oracle cannot read (a zero-case receipt) is no finding; lines of
    /// voided intakes and void shipments are live records and are.
    @Test func whichRecordsAreLive() throws {
        let findings = try OracleHarness.findings(SnapshotBuilder()
            .movement(id: 1, type: "receipt", sku: "SKU-Z", qty: "0")
            .intake(1, donation: "DN-1", status: "voided").donationLine(intake: 1, sku: "SKU-V", cases: "2")
            .order("O-1").orderLine(order: "O-1", sku: "SKU-1", requested: "1")
            .shipment("S-1", order: "O-1", status: "void").shipmentLine(shipment: "S-1", sku: "SKU-W", cases: "1")
            .item("SKU-1", weight: "1"))
        #expect(findings == ["missing_sku|SKU-V", "missing_sku|SKU-W"])
    }

    /// `negative_balance`: an on-hand position below zero. Decision: entity key `sku|location|lot` (lot '' for none);
    /// a position at exactly zero is no finding.
    @Test func aPositionBelowZeroIsNegativeBalance() throws {
        let findings = try OracleHarness.findings(SnapshotBuilder().item(weight: "1")
            .movement(id: 1, type: "distribution", lot: "L1", qty: "3")
            .movement(id: 2, type: "spoilage", location: "OAK-COLD", qty: "1")
            .movement(id: 3, type: "receipt", location: "SJ-MAIN", qty: "2")
            .movement(id: 4, type: "distribution", location: "SJ-MAIN", qty: "2")
            .delivered(FeedCSV.adjustments([FeedCSV.adjustment("ADJ-1", delta: "-5", location: "FRE-MAIN")])))
        #expect(findings == ["negative_balance|SKU-1|OAK-MAIN|L1", "negative_balance|SKU-1|OAK-COLD|", "negative_balance|SKU-1|FRE-MAIN|"])
    }

    /// "A donation id keyed more than once counts once, as its most recent intake ... that is not voided; the others
    /// are the `duplicate_donation_id` finding": two intakes not voided; a voided one does not count.
    @Test func aDonationIdKeyedTwiceIsDuplicateDonationId() throws {
        let findings = try OracleHarness.findings(SnapshotBuilder()
            .intake(1, donation: "DN-1").intake(2, donation: "DN-1")
            .intake(3, donation: "DN-2").intake(4, donation: "DN-2", status: "voided")
            .intake(5, donation: "DN-3", status: "voided").intake(6, donation: "DN-3").intake(7, donation: "DN-3"))
        #expect(findings == ["duplicate_donation_id|DN-1", "duplicate_donation_id|DN-3"])
    }

    /// `orphaned_fulfillment`: a shipment whose order is missing, or whose line names an order line the order lacks;
    /// a void shipment is not an orphan. Decision: the entity key is the shipment id; a shipment not yet shipped
    /// (picked) can be an orphan. (The grace period is the stage's timing, not a rule over the sources.)
    @Test func shipmentsWithoutTheirOrderOrOrderLineAreOrphans() throws {
        let findings = try OracleHarness.findings(SnapshotBuilder().item(weight: "1")
            .order("O-2").orderLine(order: "O-2", line: 1, requested: "5")
            .order("O-3").orderLine(order: "O-3", line: 2, requested: "5")
            .shipment("S-1", order: "O-MISSING").shipmentLine(shipment: "S-1", cases: "1")
            .shipment("S-2", order: "O-2").shipmentLine(shipment: "S-2", line: 1, orderLine: 1, cases: "1")
            .shipmentLine(shipment: "S-2", line: 2, orderLine: 2, cases: "1")
            .shipment("S-3", order: "O-MISSING", status: "void").shipmentLine(shipment: "S-3", cases: "1")
            .shipment("S-4", order: "O-2").shipmentLine(shipment: "S-4", orderLine: 1, cases: "4")
            .shipment("S-5", order: "O-MISSING-TOO", shippedAt: nil, status: "picked"))
        #expect(findings == ["orphaned_fulfillment|S-1", "orphaned_fulfillment|S-2", "orphaned_fulfillment|S-5"])
    }

    /// "one open row per problem, however often it is seen": a sku named by many records is one finding.
    @Test func oneFindingPerProblem() throws {
        let findings = try OracleHarness.findings(SnapshotBuilder()
            .movement(id: 1, type: "receipt", sku: "SKU-X", qty: "5").movement(id: 2, type: "receipt", sku: "SKU-X", lot: "L", qty: "5")
            .intake(1, donation: "DN-1").donationLine(intake: 1, sku: "SKU-X", cases: "2"))
        #expect(findings == ["missing_sku|SKU-X"])
    }
}
