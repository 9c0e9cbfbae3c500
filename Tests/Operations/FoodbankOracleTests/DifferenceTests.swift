@testable import FoodbankOracle
import Testing

/// `Difference.between`: every way the reported rows disagree with the oracle's, without a database.
@Suite struct DifferenceTests {
    static let onHand = OracleQueries.inventoryOnHand
    static let key = ["SKU-1", "OAK-MAIN", ""]
    static let at = "2026-03-08T18:00:00.000000Z"

    @Test func equalRowsHaveNoDifference() {
        let rows = CuratedRows(rows: [Self.key: ["10", "25", Self.at]])
        #expect(Difference.between(expected: rows, actual: rows, in: Self.onHand).isEmpty)
    }

    @Test func aMissingRow() {
        let differences = Difference.between(expected: CuratedRows(rows: [Self.key: ["10", "25", Self.at]]), actual: CuratedRows(), in: Self.onHand)
        #expect(differences == [Difference(table: "ops.inventory_on_hand", key: Self.key, column: "row",
                                           expected: "on_hand_cases=10 on_hand_lbs=25 last_movement_at=\(Self.at)", actual: nil, kind: .wrong)])
    }

    @Test func anExtraRow() {
        let differences = Difference.between(expected: CuratedRows(), actual: CuratedRows(rows: [Self.key: ["3", "7.5", Self.at]]), in: Self.onHand)
        #expect(differences == [Difference(table: "ops.inventory_on_hand", key: Self.key, column: "row",
                                           expected: nil, actual: "on_hand_cases=3 on_hand_lbs=7.5 last_movement_at=\(Self.at)", kind: .wrong)])
    }

    /// One difference per value that differs, NULL included.
    @Test func valueMismatches() {
        let differences = Difference.between(expected: CuratedRows(rows: [Self.key: ["10", "25", Self.at]]),
                                             actual: CuratedRows(rows: [Self.key: ["9", "25", nil]]), in: Self.onHand)
        #expect(differences == [
            Difference(table: "ops.inventory_on_hand", key: Self.key, column: "on_hand_cases", expected: "10", actual: "9", kind: .wrong),
            Difference(table: "ops.inventory_on_hand", key: Self.key, column: "last_movement_at", expected: Self.at, actual: nil, kind: .wrong),
        ])
    }

    /// On-hand keeps "one row per (sku, location, lot) ever moved": a reported row at zero cases and zero lbs may linger
    /// where the sources no longer show the movements; a row with cases or lbs left is a difference.
    @Test func onHandRowsAtZeroMayLinger() {
        let lingering = CuratedRows(rows: [Self.key: ["0", "0", Self.at]])
        #expect(Difference.between(expected: CuratedRows(), actual: lingering, in: Self.onHand).isEmpty)
        let poundsLeft = CuratedRows(rows: [Self.key: ["0", "2.5", Self.at]])
        #expect(Difference.between(expected: CuratedRows(), actual: poundsLeft, in: Self.onHand).count == 1)
    }

    /// Only on-hand rows linger: an extra finance row is a difference even when it is all zeros, and so is an extra finding.
    @Test func otherTablesHaveNoLingeringRows() {
        let zeros = CuratedRows(rows: [["2026-03-08", "SKU-1", "OAK-MAIN"]: ["0", "0", "0", "0", "0", "0", "0", "0", "0"]])
        #expect(Difference.between(expected: CuratedRows(), actual: zeros, in: OracleQueries.dailyInventory).map(\.column) == ["row"])
        let finding = CuratedRows(rows: [["missing_sku", "SKU-X"]: []])
        #expect(Difference.between(expected: CuratedRows(), actual: finding, in: OracleQueries.openFindings)
                == [Difference(table: "ops.dq_violations", key: ["missing_sku", "SKU-X"], column: "row", expected: nil, actual: "", kind: .wrong)])
    }
}
