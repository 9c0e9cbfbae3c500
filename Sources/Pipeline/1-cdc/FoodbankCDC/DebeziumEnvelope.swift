import FoodbankJSON

/// Debezium's PostgreSQL change-event format (JSON converter, schemas disabled): what the local
/// `cdc` executable writes, so downstream code cannot tell it from Kafka Connect's output.
public enum DebeziumEnvelope {
    /// Written in `source.version`, so an operator can tell which producer made an event.
    public static let producerVersion = "foodbank-cdc-1"

    /// `<topic.prefix>.<schema>.<table>`, as Debezium names topics.
    public static func topic(prefix: String, schema: String, table: String) -> String {
        "\(prefix).\(schema).\(table)"
    }

    /// The record key: the primary key columns, schemaless (`{"txn_id": 42}`); none for a truncate,
    /// which names no row.
    public static func key(_ change: RowChange) throws -> JSONValue? {
        guard let row = change.after ?? change.before else { return change.operation == .truncate ? nil : .object([:]) }
        var key: [String: JSONValue] = [:]
        for name in change.keyColumns {
            guard let column = row.first(where: { $0.name == name }) else { continue }
            key[name] = try PostgresTypeConversion.convert(column.value, type: column.type, column: name)
        }
        return .object(key)
    }

    /// The change event. `snapshot` is Debezium's marker (``SnapshotMarker``): "first", "true",
    /// "first_in_data_collection", "last_in_data_collection" and "last" during a snapshot, "false"
    /// when streaming. `ts_us` and `ts_ns` are the millisecond times scaled (Debezium 2.7 has them
    /// from the same clock at that resolution for the commit time it reads from the WAL).
    public static func value(_ change: RowChange, prefix: String, snapshot: String = "false", processedMillis: Int64) throws -> JSONValue {
        let source: [String: JSONValue] = [
            "version": .string(producerVersion),
            "connector": .string("postgresql"),
            "name": .string(prefix),
            "ts_ms": .int(change.commitMillis),
            "ts_us": .int(change.commitMillis * 1_000),
            "ts_ns": .int(change.commitMillis * 1_000_000),
            "snapshot": .string(snapshot),
            "db": .string(change.database),
            "sequence": .string("[null,\"\(change.lsn.value)\"]"),
            "schema": .string(change.schema),
            "table": .string(change.table),
            "txId": .int(change.transactionID),
            "lsn": .int(Int64(bitPattern: change.lsn.value)),
            "xmin": .null,
        ]
        // Debezium's truncate event has neither row.
        if change.operation == .truncate {
            return .object(["source": .object(source), "op": .string("t"), "ts_ms": .int(processedMillis), "ts_us": .int(processedMillis * 1_000),
                            "ts_ns": .int(processedMillis * 1_000_000), "transaction": .null])
        }
        return .object([
            "before": try row(change.before),
            "after": try row(change.after),
            "source": .object(source),
            "op": .string(change.operation.rawValue),
            "ts_ms": .int(processedMillis),
            "ts_us": .int(processedMillis * 1_000),
            "ts_ns": .int(processedMillis * 1_000_000),
            "transaction": .null,
        ])
    }

    private static func row(_ columns: [RowChange.Column]?) throws -> JSONValue {
        guard let columns else { return .null }
        var object: [String: JSONValue] = [:]
        for column in columns {
            object[column.name] = try PostgresTypeConversion.convert(column.value, type: column.type, column: column.name)
        }
        return .object(object)
    }
}
