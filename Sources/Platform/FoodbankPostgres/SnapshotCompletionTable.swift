import FoodbankJSON

/// One sink's latest complete snapshot of each source table (decision 32), in a table of its own
/// schema (`ops.`, `dq.` or `nightly.snapshot_completions`): a version of a table's row older than
/// its latest complete snapshot is a row that snapshot lacked, whenever it is read.
public struct SnapshotCompletionTable: Sendable {
    /// A constant of the sink, never input.
    let name: String

    init(_ name: String) { self.name = name }

    public static let reconcile = SnapshotCompletionTable("ops.snapshot_completions")
    public static let dq = SnapshotCompletionTable("dq.snapshot_completions")
    public static let nightly = SnapshotCompletionTable("nightly.snapshot_completions")

    /// Serializes a table's completion against the batches that write its rows, which two
    /// instances may read at once: without it, a batch that read no completion yet could store a
    /// row that the completing batch's sweep, not seeing it yet, left alone. A batch holds its
    /// tables shared, a completing batch its table exclusively; taken first in every transaction,
    /// in one order, before any row lock. The completing batch then needs no row locks for the
    /// rows it removes: nobody else can be writing them.
    public func lock(exclusive: Set<String>, shared: Set<String>, _ db: PostgresConnection) throws {
        let keys = exclusive.union(shared).sorted().map { JSONValue.array([.string($0), .bool(exclusive.contains($0))]) }
        guard !keys.isEmpty else { return }
        try db.execute("""
            SELECT count(CASE WHEN e THEN pg_advisory_xact_lock(k) ELSE pg_advisory_xact_lock_shared(k) END) FROM (
                SELECT hashtextextended($2 || ':' || (p->>0), 0) AS k, (p->>1)::boolean AS e
                FROM jsonb_array_elements($1::jsonb) p ORDER BY k OFFSET 0) keys
            """, [.text(JSONValue.array(keys).encodedString()), .text(name)])
    }

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
