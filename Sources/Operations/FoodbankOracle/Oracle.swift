import FoodbankPostgres

/// Computes the curated tables from a ``SourceSnapshot`` as the contract defines them. The sources
/// are copied into temporary tables of one PostgreSQL session (nothing is written anywhere else:
/// the session may be the reporting database's, or any scratch database), the feeds are folded by
/// ``FeedFold``, and each table is one query of ``OracleQueries``.
public final class Oracle {
    let session: PostgresConnection
    /// Feed rows whose counted version could not be read (they count nowhere).
    public private(set) var unreadableFeedRows: [UnreadableFeedRow] = []

    /// Loads `snapshot` into `session`'s temporary tables.
    public init(snapshot: SourceSnapshot, session: PostgresConnection) throws {
        self.session = session
        try session.execute("SET DateStyle = ISO")
        let counted = FeedFold.fold(snapshot.deliveries)
        unreadableFeedRows = counted.unreadable
        let tables = SourceTable.all.map { ($0, snapshot.rows[$0] ?? []) }
            + [(SourceTable.feedMovements, counted.movements), (SourceTable.feedAdjustments, counted.adjustments)]
        for (table, rows) in tables {
            try session.execute("DROP TABLE IF EXISTS pg_temp.\(table.scratchName) CASCADE")
            try session.execute(table.createScratchStatement)
            if !rows.isEmpty { try session.copyIn(table: table.scratchName, columns: table.columns.map(\.name), rows: rows) }
        }
        try Oracle.createHelpers(in: session)
        for view in OracleQueries.views { try session.execute(view) }
    }

    /// The number helpers (`pg_temp.n`, `pg_temp.ts`) both sides of a comparison format with.
    static func createHelpers(in session: PostgresConnection) throws {
        try session.execute("DROP FUNCTION IF EXISTS pg_temp.n(numeric), pg_temp.ts(timestamptz), pg_temp.pacific(timestamp) CASCADE")
        for helper in OracleQueries.helpers { try session.execute(helper) }
    }

    /// The table's rows as the contract defines them; dated tables for business days `from` to `to` (`YYYY-MM-DD`).
    public func compute(_ table: CuratedTable, from: String = "1970-01-01", to: String = "1970-01-01") throws -> CuratedRows {
        let result = try session.execute(table.oracleSQL, table.dated ? [.text(from), .text(to)] : [])
        return CuratedRows(result.rows, keyCount: table.keyColumns.count)
    }
}
