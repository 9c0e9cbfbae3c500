/// One sink's latest complete snapshot of each source table (decision 32), in a table of its own
/// schema (`ops.`, `dq.` or `nightly.snapshot_completions`): a version of a table's row older than
/// its latest complete snapshot is a row that snapshot lacked, whenever it is read.
public struct SnapshotCompletionTable: Sendable {
    /// A constant of the sink, never input.
    let name: String

    public init(_ name: String) { self.name = name }

    /// Keeps the newest position per table; returns every table's, after this batch's (one row
    /// per source table: a handful).
    public func record(_ completions: [(table: String, position: Int64)], _ db: PostgresConnection) throws -> [String: Int64] {
        let newest = completions.reduce(into: [String: Int64]()) { $0[$1.table] = max($0[$1.table] ?? .min, $1.position) }
        _ = try db.insertRows(into: name, columns: ["source_table", "position"],
                              rows: newest.sorted { $0.key < $1.key }.map { [.text($0.key), .int($0.value)] },
                              suffix: """
                                  ON CONFLICT (source_table) DO UPDATE SET position = EXCLUDED.position, completed_at = now()
                                  WHERE \(name).position < EXCLUDED.position
                                  """)
        let result = try db.execute("SELECT source_table, position::text AS position FROM \(name)")
        var positions: [String: Int64] = [:]
        for row in 0..<result.count { positions[result.value(row, "source_table")!] = Int64(result.value(row, "position")!) }
        return positions
    }
}
