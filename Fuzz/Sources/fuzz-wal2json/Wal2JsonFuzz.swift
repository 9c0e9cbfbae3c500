import FoodbankCDC
import FoodbankJSON

/// The tables the decoder knows, as cdc reads them from the catalog: two warehouse tables as the
/// contract declares them (default and FULL replica identity), an agency table with a `date`, and a
/// table of every type ``PostgresTypeConversion`` converts, so each conversion meets fuzzed text.
let tables = [
    TableSchema(schema: "wms", table: "items", columns: [
        ("sku", "text"), ("description", "text"), ("category", "text"), ("unit_weight_lbs", "numeric(10,3)"),
        ("perishable", "boolean"), ("active", "boolean"), ("updated_at", "timestamp with time zone"),
    ], keyColumns: ["sku"], notNullColumns: ["sku", "description", "category", "unit_weight_lbs", "perishable", "active", "updated_at"]),
    TableSchema(schema: "wms", table: "inventory_transactions", columns: [
        ("txn_id", "bigint"), ("txn_type", "text"), ("sku", "text"), ("location_id", "text"), ("to_location_id", "text"),
        ("lot_code", "text"), ("quantity_cases", "numeric(12,2)"), ("weight_lbs", "numeric(12,2)"), ("reason_code", "text"),
        ("reference_type", "text"), ("reference_id", "text"), ("occurred_at", "timestamp with time zone"),
        ("recorded_by", "text"), ("updated_at", "timestamp with time zone"),
    ], keyColumns: ["txn_id"]),
    TableSchema(schema: "agency", table: "orders", columns: [
        ("order_id", "text"), ("agency_id", "text"), ("requested_for", "date"), ("status", "text"),
        ("created_at", "timestamp with time zone"), ("updated_at", "timestamp with time zone"),
    ], keyColumns: ["order_id"], notNullColumns: ["order_id", "agency_id", "requested_for", "status", "created_at", "updated_at"]),
    TableSchema(schema: "fuzz", table: "types", columns: [
        ("id", "integer"), ("small", "smallint"), ("big", "bigint"), ("amount", "numeric"), ("ratio", "real"), ("wide", "double precision"),
        ("flag", "boolean"), ("at", "timestamp(3) with time zone"), ("local", "timestamp without time zone"), ("day", "date"),
        ("note", "character varying(20)"),
    ], keyColumns: ["id", "big"], notNullColumns: ["small", "amount", "ratio", "flag", "at", "local", "day", "note"]),
]

let decoder = Wal2JsonDecoder(database: "warehouse", tables: tables)

/// One wal2json row (`data`) and its slot position (`lsn`), as cdc reads them from
/// `pg_logical_slot_peek_changes`, then every Debezium key and value cdc would publish for it. An
/// input whose first line is not JSON is `lsn` (a commit's end position), the rest `data`.
/// Malformed and unconvertible rows throw; only a crash is a defect.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The slot's text columns arrive as Swift strings: invalid UTF-8 is repaired the same way here.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var lsn = "0/0", row = Substring(text)
    if !text.hasPrefix("{"), let newline = text.firstIndex(of: "\n") {
        (lsn, row) = (String(text[..<newline]), text[text.index(after: newline)...])
    }
    guard case .change(let change)? = try? decoder.decode(lsn: lsn, data: String(row)) else { return 0 }
    for event in change.debeziumChanges {
        _ = try? DebeziumEnvelope.key(event).encoded()
        _ = try? DebeziumEnvelope.value(event, prefix: "foodbank.cdc.warehouse", processedMillis: 1_795_362_716_401).encoded()
        _ = try? DebeziumEnvelope.value(event, prefix: "foodbank.cdc.warehouse", snapshot: "last", processedMillis: 0).encoded()
    }
    return 0
}
