import FoodbankPostgres
import Foundation

/// The audit of a deployment: the oracle's tables beside the reported ones, every difference
/// classified, and the run recorded (`platform.verify_runs`, `platform.verify_differences`) for
/// auditors and for the `foodbank_verify_differences` metric.
public struct Verification: Sendable {
    public var from: String
    public var to: String
    public var startedAt: Date
    public var differences: [Difference]
    public var unreadableFeedRows: [UnreadableFeedRow]

    public func count(_ kind: Difference.Kind) -> Int { differences.filter { $0.kind == kind }.count }

    /// Compares the oracle's tables for `snapshot` with `reporting`'s: the near-real-time tables as
    /// they stand, the finance tables at each day's latest version for business days `from` to `to`.
    /// The oracle's temporary tables live in `reporting`'s session; nothing is written.
    ///
    /// - Parameters:
    ///   - settleMinutes: how long after an input a day that still differs is wrong rather than pending
    ///     (nightly re-finalizes changed days every round; an unchanged result makes no new version).
    ///   - graceMinutes: dq's grace period for orphaned fulfillment.
    public static func run(snapshot: SourceSnapshot, reporting: PostgresConnection, from: String, to: String,
                           settleMinutes: Int = 60, graceMinutes: Int = 15) throws -> Verification {
        let startedAt = Date()
        let oracle = try Oracle(snapshot: snapshot, session: reporting)
        let finalized = Set(try firstColumn(reporting, finalizedDays, [.text(from), .text(to)]))
        let pending = Set(try firstColumn(reporting, pendingDays, [.text(from), .text(to), .int(Int64(settleMinutes))]))
        let inGrace = Set(try firstColumn(reporting, shipmentsInGrace, [.int(Int64(graceMinutes))]))
        var differences: [Difference] = []
        for table in CuratedTable.all {
            let expected = try oracle.compute(table, from: from, to: to)
            let actual = CuratedRows(try reporting.execute(table.reportingSQL, table.dated ? [.text(from), .text(to)] : []).rows,
                                     keyCount: table.keyColumns.count)
            differences += Difference.between(expected: expected, actual: actual, in: table).map { difference in
                var difference = difference
                if table.dated, let day = difference.key.first {
                    difference.kind = !finalized.contains(day) ? .unfinalized : pending.contains(day) ? .pendingRefinalization : .wrong
                }
                if difference.key.first == "orphaned_fulfillment", difference.actual == nil, inGrace.contains(difference.key.last ?? "") {
                    difference.kind = .inFlight
                }
                return difference
            }
        }
        return Verification(from: from, to: to, startedAt: startedAt, differences: differences, unreadableFeedRows: oracle.unreadableFeedRows)
    }

    /// Writes the run and its differences; returns the run's id.
    @discardableResult
    public func record(in db: PostgresConnection) throws -> Int64 {
        try db.transaction { db in
            let id = try db.execute("""
                INSERT INTO platform.verify_runs (started_at, from_date, to_date, wrong, pending_refinalization, unfinalized, in_flight,
                                                  unreadable_feed_rows)
                VALUES ($1, $2::date, $3::date, $4, $5, $6, $7, $8) RETURNING run_id
                """, [.timestamp(startedAt), .text(from), .text(to), .int(Int64(count(.wrong))), .int(Int64(count(.pendingRefinalization))),
                      .int(Int64(count(.unfinalized))), .int(Int64(count(.inFlight))), .int(Int64(unreadableFeedRows.count))]).scalar.flatMap { Int64($0) } ?? 0
            _ = try db.insertRows(into: "platform.verify_differences",
                                  columns: ["run_id", "kind", "table_name", "key", "column_name", "expected", "actual"],
                                  rows: differences.map { [.int(id), .text($0.kind.rawValue), .text($0.table), .text($0.key.joined(separator: "|")),
                                                           .text($0.column), .optional($0.expected), .optional($0.actual)] })
            return id
        }
    }

    /// The latest run in Prometheus' text format, for alerting: differences by kind, and when it ran.
    public static func prometheus(_ db: PostgresConnection) throws -> String {
        let latest = try db.execute("""
            SELECT wrong, pending_refinalization, unfinalized, in_flight, extract(epoch FROM finished_at)::bigint AS finished
            FROM platform.verify_runs ORDER BY run_id DESC LIMIT 1
            """)
        guard latest.count == 1 else { return "" }
        var text = "# HELP foodbank_verify_differences Differences the latest foodbank-ctl verify found, by kind.\n"
        text += "# TYPE foodbank_verify_differences gauge\n"
        for kind in Difference.Kind.allCases {
            text += "foodbank_verify_differences{kind=\"\(kind.rawValue)\"} \(latest.value(0, kind.rawValue) ?? "0")\n"
        }
        text += "# HELP foodbank_verify_last_run_timestamp_seconds When the latest foodbank-ctl verify finished.\n"
        text += "# TYPE foodbank_verify_last_run_timestamp_seconds gauge\n"
        text += "foodbank_verify_last_run_timestamp_seconds \(latest.value(0, "finished") ?? "0")\n"
        return text
    }

    // MARK: days

    static let finalizedDays = "SELECT DISTINCT business_date::text FROM finance.snapshot_versions WHERE business_date BETWEEN $1::date AND $2::date"

    /// Days whose latest version predates an input applied for them (or for an earlier day, whose
    /// closing opens it) in the last `$3` minutes: a ledger date, a nightly record, an item weight.
    /// Older inputs have been through a nightly round already, so a day that still differs is wrong.
    static let pendingDays = """
        SELECT v.business_date::text FROM (
            SELECT business_date, max(finalized_at) AS finalized_at FROM finance.snapshot_versions
            WHERE business_date BETWEEN $1::date AND $2::date GROUP BY business_date) v,
            (SELECT now() - make_interval(mins => $3::int) AS settled) s
        WHERE EXISTS (SELECT 1 FROM ops.ledger_changed_dates m
                      WHERE m.changed_at > greatest(v.finalized_at, s.settled) AND m.business_date <= v.business_date)
           OR EXISTS (SELECT 1 FROM nightly.records r WHERE r.recorded_at > greatest(v.finalized_at, s.settled)
                      AND (r.business_date IS NULL OR r.business_date <= v.business_date))
           OR EXISTS (SELECT 1 FROM ops.items i WHERE i.updated_at > greatest(v.finalized_at, s.settled))
        """

    /// Shipments dq first read less than `$1` minutes ago: an orphan among them may still find its order.
    static let shipmentsInGrace = """
        SELECT shipment_id FROM dq.shipments WHERE first_seen_at > now() - make_interval(mins => $1::int)
        """

    static func firstColumn(_ db: PostgresConnection, _ sql: String, _ parameters: [PostgresValue]) throws -> [String] {
        try db.execute(sql, parameters).rows.compactMap { $0.first ?? nil }
    }
}
