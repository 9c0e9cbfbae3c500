import FoodbankJSON

/// One row-level change read from a source database, before it becomes a Debezium envelope.
public struct RowChange: Sendable, Equatable {
    public enum Operation: String, Sendable {
        /// A TRUNCATE of the table: Debezium's `t` event (with `skipped.operations=none`), which
        /// names the table and no row.
        case read = "r", create = "c", update = "u", delete = "d", truncate = "t"
    }

    /// A column as PostgreSQL typed it and wal2json (or a snapshot query) rendered it.
    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: String
        /// wal2json's value: a JSON string, number (numerics kept as their exact text), bool or null.
        public var value: JSONValue

        public init(name: String, type: String, value: JSONValue) {
            self.name = name
            self.type = type
            self.value = value
        }
    }

    public var operation: Operation
    public var database: String
    public var schema: String
    public var table: String
    /// The new row (create, update, read); nil for a delete and a truncate.
    public var after: [Column]?
    /// The old row as the table's replica identity gives it (all columns with REPLICA IDENTITY
    /// FULL, else the key only), for update and delete.
    public var before: [Column]?
    public var lsn: LogSequenceNumber
    public var transactionID: Int64
    /// Commit time in milliseconds since the epoch.
    public var commitMillis: Int64
    /// The primary-key column names, in key order.
    public var keyColumns: [String]

    public init(operation: Operation, database: String, schema: String, table: String, after: [Column]?, before: [Column]?,
                lsn: LogSequenceNumber, transactionID: Int64, commitMillis: Int64, keyColumns: [String]) {
        self.operation = operation
        self.database = database
        self.schema = schema
        self.table = table
        self.after = after
        self.before = before
        self.lsn = lsn
        self.transactionID = transactionID
        self.commitMillis = commitMillis
        self.keyColumns = keyColumns
    }

    /// The key columns' values of `row`, in key order.
    static func key(_ row: [Column], _ keyColumns: [String]) -> [JSONValue] {
        keyColumns.map { name in row.first { $0.name == name }?.value ?? .null }
    }

    /// The events Debezium sends for this change: an update that changed the primary key is a delete
    /// of the old key and a create of the new one (each delete then followed by its tombstone).
    public var debeziumChanges: [RowChange] {
        guard operation == .update, let before, let after, Self.key(before, keyColumns) != Self.key(after, keyColumns) else { return [self] }
        var deletion = self
        (deletion.operation, deletion.after) = (.delete, nil)
        var creation = self
        (creation.operation, creation.before) = (.create, nil)
        return [deletion, creation]
    }
}
