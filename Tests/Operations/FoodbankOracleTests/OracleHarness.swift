import FoodbankHistories
@testable import FoodbankOracle

/// Runs the oracle over a snapshot in its own session of the local stack's reporting database (the
/// oracle only creates temporary tables there), or folds feed files without a database.
enum OracleHarness {
    typealias Rows = [[String]: [String?]]

    /// The table's rows by key; dated tables for business days `from` to `to`.
    static func compute(_ table: CuratedTable, _ builder: SnapshotBuilder, from: String = "2026-03-01",
                        to: String = "2026-03-31") throws -> Rows {
        let db = try LocalStackEnvironment.reportingDatabase()
        defer { db.close() }
        return try Oracle(snapshot: builder.snapshot, session: db).compute(table, from: from, to: to).rows
    }

    static func onHand(_ builder: SnapshotBuilder) throws -> Rows { try compute(OracleQueries.inventoryOnHand, builder) }

    /// Open findings as `check_name|entity_key`.
    static func findings(_ builder: SnapshotBuilder) throws -> Set<String> {
        Set(try compute(OracleQueries.openFindings, builder).keys.map { $0.joined(separator: "|") })
    }

    /// Feed 5's counted rows as `site_code|movement_id` → cases, feed 6's as `adjustment_id` → delta_cases.
    static func countedCases(_ deliveries: [DeliveredFile]) -> [String: String] {
        let counted = FeedFold.fold(deliveries)
        var cases: [String: String] = [:]
        for row in counted.movements { cases["\(row[0] ?? "")|\(row[1] ?? "")"] = row[5] ?? "" }
        for row in counted.adjustments { cases[row[0] ?? ""] = row[4] ?? "" }
        return cases
    }
}
