/// A source table's columns (as `format_type` names their types) and primary key, read from the
/// catalog once at start: deletes and key-only updates need the full column list to be shaped as
/// Debezium shapes them.
public struct TableSchema: Sendable, Equatable {
    public var schema: String
    public var table: String
    public var columns: [(name: String, type: String)]
    public var keyColumns: [String]

    public init(schema: String, table: String, columns: [(name: String, type: String)], keyColumns: [String]) {
        self.schema = schema
        self.table = table
        self.columns = columns
        self.keyColumns = keyColumns
    }

    public var qualifiedName: String { "\(schema).\(table)" }

    public static func == (a: TableSchema, b: TableSchema) -> Bool {
        a.schema == b.schema && a.table == b.table && a.keyColumns == b.keyColumns
            && a.columns.map { "\($0.name):\($0.type)" } == b.columns.map { "\($0.name):\($0.type)" }
    }
}
