/// Debezium's `source.snapshot` values that end a table's snapshot: `last_in_data_collection` on the
/// last row of each table, `last` on the last row of the whole snapshot (the last table's last row).
/// A table whose last row arrived was read whole at the snapshot's position, whether or not a later
/// table's was.
public enum SnapshotMarkers {
    public static let completing: Set<String> = ["last_in_data_collection", "last"]
}
