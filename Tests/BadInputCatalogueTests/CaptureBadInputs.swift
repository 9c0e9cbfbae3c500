import FoodbankCDC

/// What cdc reads from a replication slot: it cannot dead-letter a change it does not understand
/// (a skipped change is a lost one), so it stops with the reason and the slot keeps the change.
enum CaptureBadInputs {
    static let decoder = Wal2JsonDecoder(database: "warehouse", tables: [
        TableSchema(schema: "wms", table: "inventory_transactions", columns: [("txn_id", "bigint"), ("sku", "text")], keyColumns: ["txn_id"]),
    ])

    static func wal2json(_ kind: String, _ reason: String, lsn: String = "0/29E5DF8", _ data: String) -> BadInput {
        BadInput(layer: .capture, kind: kind, outcome: .cdcStops, reason: reason) {
            CanonicalJudge.reason { _ = try decoder.decode(lsn: lsn, data: data) }
        }
    }

    static let all: [BadInput] = [
        wal2json("a slot row that is not JSON", "wal2json row not understood", #"{"action":"I","#),
        wal2json("a slot row without an action", "(no action)", #"{"xid":754}"#),
        wal2json("a commit whose LSN cannot be read", "(bad lsn 12)", lsn: "12", #"{"action":"C","xid":754}"#),
        wal2json("a change without its table or transaction", "(missing schema, table, xid, lsn or timestamp)", #"{"action":"I","xid":754}"#),
        wal2json("a change to a table cdc does not capture", "(table wms.secrets is not captured)",
                 #"{"action":"I","xid":1,"timestamp":"2026-11-22 15:51:56+00","lsn":"0/1","schema":"wms","table":"secrets","columns":[]}"#),
        wal2json("a commit time an event's ts_ns cannot hold", "is outside the years 1677-2262",
                 #"{"action":"I","xid":1,"timestamp":"0202-11-22 15:51:56+00","lsn":"0/1","schema":"wms","table":"inventory_transactions","columns":[]}"#),
        wal2json("a column without its name, type or value", "(column without name, type or value)",
                 #"{"action":"I","xid":1,"timestamp":"2026-11-22 15:51:56+00","lsn":"0/1","schema":"wms","table":"inventory_transactions","columns":[{"name":"txn_id"}]}"#),
    ]
}
