/// A source table's columns (as `format_type` names their types) and primary key, read from the
/// catalog once at start: deletes and key-only updates need the full column list to be shaped as
/// Debezium shapes them.
public struct TableSchema: Sendable, Equatable {
    public var schema: String
    public var table: String
    public var columns: [(name: String, type: String)]
    public var keyColumns: [String]
    /// Columns declared NOT NULL: Debezium gives them a fallback value, never null.
    public var notNullColumns: Set<String>

    public init(schema: String, table: String, columns: [(name: String, type: String)], keyColumns: [String], notNullColumns: Set<String> = []) {
        self.schema = schema
        self.table = table
        self.columns = columns
        self.keyColumns = keyColumns
        self.notNullColumns = notNullColumns
    }

    /// The old row as Debezium gives it without FULL identity: the key columns `identity` carries,
    /// and for every other column null, or its type's fallback when the column is NOT NULL.
    func rowFromIdentity(_ identity: [RowChange.Column]) -> [RowChange.Column] {
        columns.map { column in
            identity.first { $0.name == column.name }
                ?? RowChange.Column(name: column.name, type: column.type,
                                    value: notNullColumns.contains(column.name) ? PostgresTypeConversion.fallback(type: column.type) : .null)
        }
    }

    public var qualifiedName: String { "\(schema).\(table)" }

    public static func == (a: TableSchema, b: TableSchema) -> Bool {
        a.schema == b.schema && a.table == b.table && a.keyColumns == b.keyColumns && a.notNullColumns == b.notNullColumns
            && a.columns.map { "\($0.name):\($0.type)" } == b.columns.map { "\($0.name):\($0.type)" }
    }
}
