/// Debezium's `source.snapshot` values for the rows of a snapshot: the first row of the snapshot
/// is `first`, each later table's first row `first_in_data_collection`, each table's last row
/// `last_in_data_collection`, the snapshot's very last row `last`, every other row `true`. A
/// consumer can tell a complete snapshot by its `first` and `last`.
public enum SnapshotMarker: String, Sendable {
    case first, `true`, firstInTable = "first_in_data_collection", lastInTable = "last_in_data_collection", last

    /// The marker of a row, by where it stands (Debezium's precedence: first, then last).
    static func of(firstOfSnapshot: Bool, firstInTable: Bool, lastInTable: Bool, lastOfSnapshot: Bool) -> SnapshotMarker {
        if firstOfSnapshot { return .first }
        if lastOfSnapshot { return .last }
        if firstInTable { return .firstInTable }
        if lastInTable { return .lastInTable }
        return .true
    }

    /// Marks rows as they are read, one row behind: a row's marker is known once the next row (or
    /// the end of its table, or of the snapshot) is.
    struct Sequence {
        private var held: (change: RowChange, table: Int, firstInTable: Bool, firstOfSnapshot: Bool)?
        private var publishedAny = false

        /// Takes the next row, publishing the one before it.
        mutating func add(_ change: RowChange, table: Int, publish: (RowChange, String) throws -> Void) throws {
            let firstInTable = held.map { $0.table != table } ?? true
            try release(lastInTable: firstInTable, lastOfSnapshot: false, publish: publish)
            held = (change, table, firstInTable, !publishedAny)
        }

        /// The snapshot read every table: publishes the held row as the last.
        mutating func finish(publish: (RowChange, String) throws -> Void) throws {
            try release(lastInTable: true, lastOfSnapshot: true, publish: publish)
        }

        private mutating func release(lastInTable: Bool, lastOfSnapshot: Bool, publish: (RowChange, String) throws -> Void) throws {
            guard let row = held else { return }
            let marker = SnapshotMarker.of(firstOfSnapshot: row.firstOfSnapshot, firstInTable: row.firstInTable,
                                           lastInTable: lastInTable, lastOfSnapshot: lastOfSnapshot)
            try publish(row.change, marker.rawValue)
            held = nil
            publishedAny = true
        }
    }
}
