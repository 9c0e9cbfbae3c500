@testable import FoodbankOracle
import Testing

/// "The business date of a movement is its time in America/Los_Angeles (feed 6: its `effective_date`)", across
/// both 2026 DST changes, seen through `finance.daily_inventory`'s dates and `last_movement_at`.
@Suite struct BusinessDateTests {
    static func receiptsByDay(_ builder: SnapshotBuilder, from: String, to: String) throws -> [String: String] {
        let rows = try OracleHarness.compute(OracleQueries.dailyInventory, builder.item(weight: "1"), from: from, to: to)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.key[0], $0.value[1] ?? "") })
    }

    /// Feed 5's `occurred_at` is "local Pacific time ... (no zone: America/Los_Angeles)": on the spring-forward day a
    /// row keeps its local date even where UTC is already the next day (23:30 PDT is 06:30 UTC on 03-09).
    @Test func feedFiveKeepsItsLocalDateOnSpringForward() throws {
        let file = FeedCSV.movements([
            FeedCSV.movement("HAY-1", cases: "1", at: "03/08/2026 01:30"), FeedCSV.movement("HAY-2", cases: "2", at: "03/08/2026 03:30"),
            FeedCSV.movement("HAY-3", cases: "4", at: "03/08/2026 23:30"), FeedCSV.movement("HAY-4", cases: "8", at: "03/07/2026 23:59"),
        ])
        let receipts = try Self.receiptsByDay(SnapshotBuilder().delivered(file), from: "2026-03-07", to: "2026-03-09")
        #expect(receipts == ["2026-03-07": "8", "2026-03-08": "7", "2026-03-09": "0"])
    }

    /// On the fall-back day (2026-11-01) likewise: 23:30 PST is 07:30 UTC on 11-02.
    @Test func feedFiveKeepsItsLocalDateOnFallBack() throws {
        let file = FeedCSV.movements("movements_HAY-SAT_202611020900.csv", [
            FeedCSV.movement("HAY-1", cases: "1", at: "11/01/2026 00:30"), FeedCSV.movement("HAY-2", cases: "2", at: "11/01/2026 01:30"),
            FeedCSV.movement("HAY-3", cases: "4", at: "11/01/2026 23:30"), FeedCSV.movement("HAY-4", cases: "8", at: "11/02/2026 00:10"),
        ])
        let receipts = try Self.receiptsByDay(SnapshotBuilder().delivered(file), from: "2026-10-31", to: "2026-11-02")
        #expect(receipts == ["2026-11-01": "7", "2026-11-02": "8"])
    }

    /// Warehouse `occurred_at` is an instant, dated in Los Angeles: 2026-03-09 06:30 UTC is 23:30 PDT on 03-08, and
    /// 2026-03-08 07:59 UTC is 23:59 PST on 03-07.
    @Test func warehouseTimesAreDatedInLosAngelesInMarch() throws {
        let receipts = try Self.receiptsByDay(SnapshotBuilder()
            .movement(id: 1, type: "receipt", qty: "1", at: "2026-03-09 06:30:00+00")
            .movement(id: 2, type: "receipt", qty: "2", at: "2026-03-08 07:59:00+00")
            .movement(id: 3, type: "receipt", qty: "4", at: "2026-03-09 07:00:00+00"), from: "2026-03-07", to: "2026-03-09")
        #expect(receipts == ["2026-03-07": "2", "2026-03-08": "1", "2026-03-09": "4"])
    }

    /// ... and in November: 2026-11-02 07:30 UTC is 23:30 PST on 11-01; 2026-11-01 06:59 UTC is 23:59 PDT on 10-31.
    @Test func warehouseTimesAreDatedInLosAngelesInNovember() throws {
        let receipts = try Self.receiptsByDay(SnapshotBuilder()
            .movement(id: 1, type: "receipt", qty: "1", at: "2026-11-02 07:30:00+00")
            .movement(id: 2, type: "receipt", qty: "2", at: "2026-11-01 06:59:00+00")
            .movement(id: 3, type: "receipt", qty: "4", at: "2026-11-01 07:00:00+00"), from: "2026-10-31", to: "2026-11-01")
        #expect(receipts == ["2026-10-31": "2", "2026-11-01": "5"])
    }

    /// Feed-5 local times as instants (`last_movement_at`). Decision: a local time the spring-forward skips
    /// (02:30 on 03-08) is read with the offset before the change (PST, so 10:30 UTC, the same instant as 03:30 PDT),
    /// and the repeated hour of the fall-back (01:30 on 11-01) as its first occurrence, daylight time (08:30 UTC):
    /// a clock read once is read the first time it showed that hour.
    @Test func localTimesAroundTheChangesAsInstants() throws {
        let builder = SnapshotBuilder().item(weight: "1").delivered(FeedCSV.movements([
            FeedCSV.movement("HAY-1", cases: "1", lot: "SKIPPED", at: "03/08/2026 02:30"),
            FeedCSV.movement("HAY-2", cases: "1", lot: "PDT", at: "03/08/2026 03:30"),
            FeedCSV.movement("HAY-3", cases: "1", lot: "REPEATED", at: "11/01/2026 01:30"),
        ]))
        #expect(try OracleHarness.onHand(builder) == [
            ["SKU-1", "HAY-SAT", "SKIPPED"]: ["1", "1", "2026-03-08T10:30:00.000000Z"],
            ["SKU-1", "HAY-SAT", "PDT"]: ["1", "1", "2026-03-08T10:30:00.000000Z"],
            ["SKU-1", "HAY-SAT", "REPEATED"]: ["1", "1", "2026-11-01T08:30:00.000000Z"],
        ])
    }
}
