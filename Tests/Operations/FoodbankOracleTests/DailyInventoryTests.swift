@testable import FoodbankOracle
import Testing

/// `finance.daily_inventory`: key (business_date, sku, location_id); values opening, receipts, transfers_in,
/// transfers_out, adjustments, spoilage, distributions, closing, closing_lbs.
@Suite struct DailyInventoryTests {
    static func days(_ builder: SnapshotBuilder, from: String = "2026-03-07", to: String = "2026-03-09") throws -> OracleHarness.Rows {
        try OracleHarness.compute(OracleQueries.dailyInventory, builder, from: from, to: to)
    }

    /// "each day's opening is the previous day's closing", and "one row per day and (sku, location) that moved that
    /// day or opened non-zero": 2026-03-09 did not move but opened at 6.
    @Test func openingIsThePreviousClosing() throws {
        let rows = try Self.days(SnapshotBuilder().item(weight: "2.5")
            .movement(id: 1, type: "receipt", qty: "10", at: "2026-03-07 20:00:00+00")
            .movement(id: 2, type: "distribution", qty: "4", at: "2026-03-08 18:00:00+00"))
        #expect(rows == [
            ["2026-03-07", "SKU-1", "OAK-MAIN"]: ["0", "10", "0", "0", "0", "0", "0", "10", "25"],
            ["2026-03-08", "SKU-1", "OAK-MAIN"]: ["10", "0", "0", "0", "0", "0", "4", "6", "15"],
            ["2026-03-09", "SKU-1", "OAK-MAIN"]: ["6", "0", "0", "0", "0", "0", "0", "6", "15"],
        ])
    }

    /// No row for a day a position neither moved nor opened non-zero; the opening counts everything before the range.
    @Test func rowsOnlyForPositionsThatMovedOrOpenedNonZero() throws {
        let rows = try Self.days(SnapshotBuilder().item(weight: "1")
            .movement(id: 1, type: "receipt", qty: "5", at: "2026-03-07 20:00:00+00")
            .movement(id: 2, type: "distribution", qty: "5", at: "2026-03-07 21:00:00+00")
            .movement(id: 3, type: "receipt", location: "OAK-COLD", qty: "2", at: "2026-03-01 20:00:00+00")
            .movement(id: 4, type: "receipt", location: "SJ-MAIN", qty: "9", at: "2026-03-10 20:00:00+00"))
        #expect(rows == [
            ["2026-03-07", "SKU-1", "OAK-MAIN"]: ["0", "5", "0", "0", "0", "0", "5", "0", "0"],
            ["2026-03-07", "SKU-1", "OAK-COLD"]: ["2", "0", "0", "0", "0", "0", "0", "2", "2"],
            ["2026-03-08", "SKU-1", "OAK-COLD"]: ["2", "0", "0", "0", "0", "0", "0", "2", "2"],
            ["2026-03-09", "SKU-1", "OAK-COLD"]: ["2", "0", "0", "0", "0", "0", "0", "2", "2"],
        ])
    }

    /// "summed over lots".
    @Test func summedOverLots() throws {
        let rows = try Self.days(SnapshotBuilder().item(weight: "1")
            .movement(id: 1, type: "receipt", lot: "A", qty: "4")
            .movement(id: 2, type: "receipt", lot: "B", qty: "6")
            .movement(id: 3, type: "spoilage", lot: "A", qty: "1")
            .movement(id: 4, type: "adjustment", qty: "-2"), from: "2026-03-08", to: "2026-03-08")
        #expect(rows == [["2026-03-08", "SKU-1", "OAK-MAIN"]: ["0", "10", "0", "0", "-2", "1", "0", "7", "7"]])
    }

    /// Transfers: out at the source, in at the destination (warehouse transfers and feed 5's TRANSFER_OUT/IN).
    @Test func transfersInAndOut() throws {
        let rows = try Self.days(SnapshotBuilder().item(weight: "1")
            .movement(id: 1, type: "transfer", location: "OAK-MAIN", to: "OAK-COLD", qty: "3")
            .delivered(FeedCSV.movements([
                FeedCSV.movement("HAY-1", type: "TRANSFER_IN", cases: "5"), FeedCSV.movement("HAY-2", type: "TRANSFER_OUT", cases: "2"),
            ])), from: "2026-03-08", to: "2026-03-08")
        #expect(rows == [
            ["2026-03-08", "SKU-1", "OAK-MAIN"]: ["0", "0", "0", "3", "0", "0", "0", "-3", "-3"],
            ["2026-03-08", "SKU-1", "OAK-COLD"]: ["0", "0", "3", "0", "0", "0", "0", "3", "3"],
            ["2026-03-08", "SKU-1", "HAY-SAT"]: ["0", "0", "5", "2", "0", "0", "0", "3", "3"],
        ])
    }

    /// "A feed-6 spoilage row adds `-delta` to spoilage; every other adjustment adds its signed `delta` to
    /// adjustments" (SPOILAGE and EXPIRED are spoilage), dated by `effective_date` whatever the file's name.
    @Test func feedSixSpoilageAddsMinusDeltaToSpoilage() throws {
        let rows = try Self.days(SnapshotBuilder().item(weight: "2.5").delivered(FeedCSV.adjustments("adjustments_20260310_1.csv", [
            FeedCSV.adjustment("ADJ-1", delta: "-2", reason: "SPOILAGE"),
            FeedCSV.adjustment("ADJ-2", delta: "-1", reason: "EXPIRED"),
            FeedCSV.adjustment("ADJ-3", delta: "5", reason: "RECOUNT"),
            FeedCSV.adjustment("ADJ-4", delta: "-1", reason: "DAMAGE"),
            FeedCSV.adjustment("ADJ-5", delta: "2", reason: "SPOILAGE", location: "OAK-COLD"),
        ])), from: "2026-03-08", to: "2026-03-08")
        #expect(rows == [
            ["2026-03-08", "SKU-1", "OAK-MAIN"]: ["0", "0", "0", "0", "4", "3", "0", "1", "2.5"],
            ["2026-03-08", "SKU-1", "OAK-COLD"]: ["0", "0", "0", "0", "0", "-2", "0", "2", "5"],
        ])
    }

    /// `closing_lbs`: own weights where given, else cases times the unit weight, summed through the day.
    @Test func closingLbsUsesOwnWeightsWhereGiven() throws {
        let rows = try Self.days(SnapshotBuilder().item(weight: "2.5")
            .movement(id: 1, type: "receipt", qty: "10", lbs: "30", at: "2026-03-07 20:00:00+00")
            .movement(id: 2, type: "distribution", qty: "4"), from: "2026-03-08", to: "2026-03-08")
        #expect(rows == [["2026-03-08", "SKU-1", "OAK-MAIN"]: ["10", "0", "0", "0", "0", "0", "4", "6", "20"]])
    }

    /// A position that moved and came back to zero the same day still has its row.
    @Test func aDayThatMovesToNetZeroHasARow() throws {
        let rows = try Self.days(SnapshotBuilder().item(weight: "1")
            .movement(id: 1, type: "receipt", qty: "3").movement(id: 2, type: "distribution", qty: "3"), from: "2026-03-08", to: "2026-03-09")
        #expect(rows == [["2026-03-08", "SKU-1", "OAK-MAIN"]: ["0", "3", "0", "0", "0", "0", "3", "0", "0"]])
    }

    /// Decision: "opened non-zero" is about cases: a position at zero cases but with pounds left (own weights that
    /// do not cancel) has no row on a day it does not move.
    @Test func openedNonZeroIsAboutCases() throws {
        let rows = try Self.days(SnapshotBuilder().item(weight: "2.5")
            .movement(id: 1, type: "receipt", qty: "10", lbs: "30", at: "2026-03-07 20:00:00+00")
            .movement(id: 2, type: "distribution", qty: "10", at: "2026-03-07 21:00:00+00"), from: "2026-03-07", to: "2026-03-08")
        #expect(rows == [["2026-03-07", "SKU-1", "OAK-MAIN"]: ["0", "10", "0", "0", "0", "0", "10", "0", "5"]])
    }
}
