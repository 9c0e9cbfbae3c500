/// wal2json rows captured from PostgreSQL 15 (wal2json 2.5, format-version 2) on the local stack,
/// and the events Debezium 2.7's PostgreSQL connector writes for the same changes (JSON converter,
/// schemas disabled, decimal.handling.mode=string), written from its source and documentation:
/// not captured, since no Kafka Connect runs here (hence "expected", and the local producer's version).
enum Fixtures {
    static let insertTransaction = #"{"action":"I","xid":754,"timestamp":"2026-11-22 15:51:56.373714+00","lsn":"0/29E5DF8","schema":"wms","table":"inventory_transactions","columns":[{"name":"txn_id","type":"bigint","value":1},{"name":"txn_type","type":"text","value":"receipt"},{"name":"sku","type":"text","value":"A"},{"name":"location_id","type":"text","value":"OAK"},{"name":"to_location_id","type":"text","value":null},{"name":"lot_code","type":"text","value":null},{"name":"quantity_cases","type":"numeric(12,2)","value":3.50},{"name":"weight_lbs","type":"numeric(12,2)","value":null},{"name":"reason_code","type":"text","value":null},{"name":"reference_type","type":"text","value":null},{"name":"reference_id","type":"text","value":null},{"name":"occurred_at","type":"timestamp with time zone","value":"2026-11-01 17:00:00+00"},{"name":"recorded_by","type":"text","value":null},{"name":"updated_at","type":"timestamp with time zone","value":"2026-11-22 15:51:56.372755+00"}]}"#

    static let expectedInsertTransaction = #"{"before":null,"after":{"txn_id":1,"txn_type":"receipt","sku":"A","location_id":"OAK","to_location_id":null,"lot_code":null,"quantity_cases":"3.50","weight_lbs":null,"reason_code":null,"reference_type":null,"reference_id":null,"occurred_at":"2026-11-01T17:00:00.000000Z","recorded_by":null,"updated_at":"2026-11-22T15:51:56.372755Z"},"source":{"version":"foodbank-cdc-1","connector":"postgresql","name":"foodbank.cdc.warehouse","ts_ms":1795362716373,"ts_us":1795362716373000,"ts_ns":1795362716373000000,"snapshot":"false","db":"warehouse","sequence":"[null,\"43933176\"]","schema":"wms","table":"inventory_transactions","txId":754,"lsn":43933176,"xmin":null},"op":"c","ts_ms":1795362716401,"ts_us":1795362716401000,"ts_ns":1795362716401000000,"transaction":null}"#

    static let updateItemDefaultIdentity = #"{"action":"U","xid":753,"timestamp":"2026-11-22 15:51:56.315073+00","lsn":"0/29E5CF8","schema":"wms","table":"items","columns":[{"name":"sku","type":"text","value":"A"},{"name":"description","type":"text","value":"d"},{"name":"category","type":"text","value":"dairy"},{"name":"unit_weight_lbs","type":"numeric(10,3)","value":2.250},{"name":"perishable","type":"boolean","value":false},{"name":"active","type":"boolean","value":true},{"name":"updated_at","type":"timestamp with time zone","value":"2026-11-22 15:51:56.223371+00"}],"identity":[{"name":"sku","type":"text","value":"A"}]}"#

    static let deleteItemDefaultIdentity = #"{"action":"D","xid":755,"timestamp":"2026-11-22 15:51:56.454978+00","lsn":"0/29E5F38","schema":"wms","table":"items","identity":[{"name":"sku","type":"text","value":"A"}]}"#

    /// Every column of wms.items but the key is NOT NULL: Debezium fills them with fallbacks, not null.
    static let expectedDeleteItem = #"{"before":{"sku":"A","description":"","category":"","unit_weight_lbs":"0","perishable":false,"active":false,"updated_at":"1970-01-01T00:00:00.000000Z"},"after":null,"source":{"version":"foodbank-cdc-1","connector":"postgresql","name":"foodbank.cdc.warehouse","ts_ms":1795362716454,"ts_us":1795362716454000,"ts_ns":1795362716454000000,"snapshot":"false","db":"warehouse","sequence":"[null,\"43933496\"]","schema":"wms","table":"items","txId":755,"lsn":43933496,"xmin":null},"op":"d","ts_ms":1795362716470,"ts_us":1795362716470000,"ts_ns":1795362716470000000,"transaction":null}"#

    static let commit = #"{"action":"C","xid":754,"timestamp":"2026-11-22 15:51:56.373714+00","lsn":"0/29E5F08","nextlsn":"0/29E5F38"}"#

    static let items = TableSchemaFixture.items
    static let transactions = TableSchemaFixture.transactions
}
