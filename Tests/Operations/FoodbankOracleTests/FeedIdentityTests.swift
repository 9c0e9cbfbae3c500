@testable import FoodbankOracle
import Testing

/// "Identity and corrections" for the feeds, folded without a database: counted rows as
/// `site_code|movement_id` (feed 5) or `adjustment_id` (feed 6) → cases.
@Suite struct FeedIdentityTests {
    static let nine = "movements_HAY-SAT_202603080900.csv"
    static let ten = "movements_HAY-SAT_202603081000.csv"

    /// "a feed-5 row by (`site_code`, `movement_id`) ... across all files of its feed ... it counts once, with
    /// its latest version: ... by delivery for the feeds."
    @Test func theSameRowInTwoFilesCountsOnceWithTheLaterDeliveredVersion() {
        let first = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-1", cases: "10")])
        let second = FeedCSV.movements(Self.ten, [FeedCSV.movement("HAY-1", cases: "12")])
        #expect(OracleHarness.countedCases([first, second]) == ["HAY-SAT|HAY-1": "12"])
        #expect(OracleHarness.countedCases([second, first]) == ["HAY-SAT|HAY-1": "10"], "delivery order, not name order")
    }

    /// The identity is (`site_code`, `movement_id`): the same movement id at another site is another row.
    @Test func theSameMovementIdAtAnotherSiteIsAnotherRow() {
        let file = FeedCSV.movements([FeedCSV.movement("M-1", cases: "10"), FeedCSV.movement("M-1", cases: "3", site: "SJ-SAT")])
        #expect(OracleHarness.countedCases([file]) == ["HAY-SAT|M-1": "10", "SJ-SAT|M-1": "3"])
    }

    /// "different content is a correction that replaces that file's earlier rows".
    @Test func aCorrectedFileReplacesItsRows() {
        let original = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-1", cases: "10"), FeedCSV.movement("HAY-2", cases: "5")])
        let corrected = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-1", cases: "8")])
        #expect(OracleHarness.countedCases([original, corrected]) == ["HAY-SAT|HAY-1": "8"])
    }

    /// "a corrected file that drops it retracts it, unless another live file still holds it".
    @Test func aRowACorrectionDropsFallsBackToAnotherLiveFile() {
        let nine = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-1", cases: "10")])
        let ten = FeedCSV.movements(Self.ten, [FeedCSV.movement("HAY-1", cases: "7"), FeedCSV.movement("HAY-2", cases: "1")])
        let tenCorrected = FeedCSV.movements(Self.ten, [FeedCSV.movement("HAY-2", cases: "1")])
        #expect(OracleHarness.countedCases([nine, ten]) == ["HAY-SAT|HAY-1": "7", "HAY-SAT|HAY-2": "1"])
        #expect(OracleHarness.countedCases([nine, ten, tenCorrected]) == ["HAY-SAT|HAY-1": "10", "HAY-SAT|HAY-2": "1"])
    }

    /// "identical content is a re-delivery (no effect)": neither counted twice nor made the latest-delivered holder.
    @Test func anIdenticalReDeliveryChangesNothing() {
        let nine = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-1", cases: "10")])
        let ten = FeedCSV.movements(Self.ten, [FeedCSV.movement("HAY-1", cases: "7")])
        #expect(OracleHarness.countedCases([nine, nine]) == ["HAY-SAT|HAY-1": "10"])
        #expect(OracleHarness.countedCases([nine, ten, nine]) == ["HAY-SAT|HAY-1": "7"])
    }

    /// A correction back to earlier content is different content from the live version: a correction.
    @Test func aCorrectionBackToEarlierContentIsACorrection() {
        let nine = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-1", cases: "10")])
        let nineCorrected = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-2", cases: "1")])
        let ten = FeedCSV.movements(Self.ten, [FeedCSV.movement("HAY-1", cases: "7")])
        #expect(OracleHarness.countedCases([nine, nineCorrected, nine]) == ["HAY-SAT|HAY-1": "10"])
        #expect(OracleHarness.countedCases([nine, ten, nineCorrected, nine]) == ["HAY-SAT|HAY-1": "10"])
    }

    /// "A file without a matching trailer is incomplete: it is held back, not half-applied"; "a held ...
    /// newer version leaves the previous one live".
    @Test func aHeldVersionLeavesThePreviousOneLive() {
        let complete = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-1", cases: "10")])
        let held = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-1", cases: "99"), FeedCSV.movement("HAY-2", cases: "1")], trailer: false)
        let heldNew = FeedCSV.movements(Self.ten, [FeedCSV.movement("HAY-3", cases: "4")], trailer: false)
        #expect(OracleHarness.countedCases([complete, held, heldNew]) == ["HAY-SAT|HAY-1": "10"])
    }

    /// "a ... quarantined newer version leaves the previous one live": wrong columns, or a trailer that miscounts.
    @Test func aBrokenVersionLeavesThePreviousOneLive() {
        let complete = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-1", cases: "10")])
        var header = FeedCSV.movementsHeader
        header[5] = "quantity"
        let wrongColumns = DeliveredFile(feed: .legacyWMS, name: Self.nine,
                                         content: FeedCSV.bytes(header: header, rows: [FeedCSV.movement("HAY-1", cases: "99")]))
        let miscounted = DeliveredFile(feed: .legacyWMS, name: Self.nine, content: Array("""
            \(FeedCSV.movementsHeader.joined(separator: ","))
            HAY-1,RECEIPT,SKU-1,HAY-SAT,,98,,03/08/2026 10:00,
            TRAILER,2

            """.utf8))
        #expect(OracleHarness.countedCases([complete, wrongColumns, miscounted]) == ["HAY-SAT|HAY-1": "10"])
    }

    /// "within a file, the later line".
    @Test func withinOneFileTheLaterLineWins() {
        let file = FeedCSV.movements([FeedCSV.movement("HAY-1", cases: "10"), FeedCSV.movement("HAY-1", cases: "12")])
        #expect(OracleHarness.countedCases([file]) == ["HAY-SAT|HAY-1": "12"])
    }

    /// "`<SITE>` is a location id as in `wms.locations` (letters, digits and hyphens, e.g. `HAY-SAT`)".
    @Test func hyphenatedSiteCodesInFileNamesCount() {
        let file = FeedCSV.movements("movements_SJ-NORTH-2_202603080900.csv", [FeedCSV.movement("SJ-1", cases: "3", site: "SJ-NORTH-2")])
        #expect(OracleHarness.countedCases([file]) == ["SJ-NORTH-2|SJ-1": "3"])
    }

    /// "A file in a feed folder whose name fits no feed is quarantined with that reason": it counts nothing.
    @Test(arguments: [
        "movements_HAY-SAT_20260308.csv", "movements_HAY SAT_202603080900.csv", "movements_HAY-SAT_202603080900.txt",
        "Movements_HAY-SAT_202603080900.csv", "movements__202603080900.csv", "adjustments_20260308_1.csv", "notes.csv",
    ])
    func aFileNameThatFitsNoFeedCountsNothing(name: String) {
        let file = FeedCSV.movements(name, [FeedCSV.movement("HAY-1", cases: "10")])
        #expect(OracleHarness.countedCases([file]).isEmpty)
    }

    /// Feed 6's names: `adjustments_<YYYYMMDD>_<SEQ>.csv`; a movements name in the adjustments folder fits no feed there.
    @Test func feedSixFileNames() {
        let rows = [FeedCSV.adjustment("ADJ-1", delta: "-2")]
        #expect(OracleHarness.countedCases([FeedCSV.adjustments("adjustments_20260308_12.csv", rows)]) == ["ADJ-1": "-2"])
        #expect(OracleHarness.countedCases([FeedCSV.adjustments("adjustments_2026-03-08_1.csv", rows)]).isEmpty)
        #expect(OracleHarness.countedCases([FeedCSV.adjustments("movements_HAY-SAT_202603080900.csv", rows)]).isEmpty)
    }

    /// "A version that cannot be read (zero or negative cases ..., an unknown type, a malformed time) ... the
    /// row's earlier version stops counting: a number is never kept because its correction was unreadable."
    @Test(arguments: [
        FeedCSV.movement("HAY-1", cases: "0"), FeedCSV.movement("HAY-1", cases: "-3"),
        FeedCSV.movement("HAY-1", type: "RETURN", cases: "10"), FeedCSV.movement("HAY-1", cases: "10", at: "13/45/2026 10:00"),
    ])
    func anUnreadableNewestVersionStopsTheEarlierOneCounting(newest: [String]) {
        let readable = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-1", cases: "10"), FeedCSV.movement("HAY-2", cases: "1")])
        let unreadable = FeedCSV.movements(Self.ten, [newest])
        #expect(OracleHarness.countedCases([readable, unreadable]) == ["HAY-SAT|HAY-2": "1"])
        let dead = FeedFold.fold([readable, unreadable]).unreadable
        #expect(dead.map(\.key) == ["HAY-SAT|HAY-1"])
        #expect(dead.map(\.file) == ["legacy_wms/\(Self.ten)"])
    }

    /// Feed 6: "a feed-6 row by `adjustment_id`, across all files of its feed", and an unreadable reason
    /// stops its earlier version counting.
    @Test func feedSixRowsAreIdentifiedByAdjustmentId() {
        let first = FeedCSV.adjustments("adjustments_20260308_1.csv", [
            FeedCSV.adjustment("ADJ-1", delta: "-2"), FeedCSV.adjustment("ADJ-2", delta: "4"),
        ])
        let second = FeedCSV.adjustments("adjustments_20260309_1.csv", [
            FeedCSV.adjustment("ADJ-1", delta: "-3", location: "OAK-COLD"), FeedCSV.adjustment("ADJ-2", delta: "4", reason: "LOST"),
        ])
        #expect(OracleHarness.countedCases([first]) == ["ADJ-1": "-2", "ADJ-2": "4"])
        #expect(OracleHarness.countedCases([first, second]) == ["ADJ-1": "-3"])
    }

    /// "notes: free text: commas, quotes, newlines inside quotes, any Unicode" (RFC 4180 quoting).
    @Test func feedSixNotesMayHoldCommasQuotesNewlinesAndUnicode() {
        let file = FeedCSV.adjustments([FeedCSV.adjustment("ADJ-1", delta: "-2", notes: "crushed, \"wet\"\nsecond line — café 🍎")])
        #expect(OracleHarness.countedCases([file]) == ["ADJ-1": "-2"])
    }

    /// Feed rows reach the tables: a counted feed-5 version is on hand, its unreadable correction is not.
    @Test func anUnreadableCorrectionLeavesNoOnHand() throws {
        let readable = FeedCSV.movements(Self.nine, [FeedCSV.movement("HAY-1", cases: "10")])
        let unreadable = FeedCSV.movements(Self.ten, [FeedCSV.movement("HAY-1", cases: "10", at: "13/45/2026 10:00")])
        let builder = SnapshotBuilder().item(weight: "1")
        #expect(try OracleHarness.onHand(builder.delivered(readable)) == [
            ["SKU-1", "HAY-SAT", ""]: ["10", "10", "2026-03-08T17:00:00.000000Z"],
        ])
        #expect(try OracleHarness.onHand(builder.delivered(readable).delivered(unreadable)).isEmpty)
    }
}
