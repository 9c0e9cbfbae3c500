import FoodbankCanonical
@testable import FoodbankCDC
import FoodbankJSON
import Testing

enum TableSchemaFixture {
    static let items = TableSchema(schema: "wms", table: "items", columns: [
        ("sku", "text"), ("description", "text"), ("category", "text"), ("unit_weight_lbs", "numeric(10,3)"),
        ("perishable", "boolean"), ("active", "boolean"), ("updated_at", "timestamp with time zone"),
    ], keyColumns: ["sku"], notNullColumns: ["sku", "description", "category", "unit_weight_lbs", "perishable", "active", "updated_at"])
    static let transactions = TableSchema(schema: "wms", table: "inventory_transactions", columns: [
        ("txn_id", "bigint"), ("txn_type", "text"), ("sku", "text"), ("location_id", "text"), ("to_location_id", "text"),
        ("lot_code", "text"), ("quantity_cases", "numeric(12,2)"), ("weight_lbs", "numeric(12,2)"), ("reason_code", "text"),
        ("reference_type", "text"), ("reference_id", "text"), ("occurred_at", "timestamp with time zone"),
        ("recorded_by", "text"), ("updated_at", "timestamp with time zone"),
    ], keyColumns: ["txn_id"])
}

@Suite struct DebeziumEnvelopeTests {
    let decoder = Wal2JsonDecoder(database: "warehouse", tables: [Fixtures.items, Fixtures.transactions])

    func change(_ data: String) throws -> RowChange {
        guard case .change(let change) = try decoder.decode(lsn: "0/0", data: data) else {
            Issue.record("not a change"); throw Wal2JsonDecoder.Malformed(reason: "test", data: data)
        }
        return change
    }

    /// Everything but the fields that differ by nature (producer version, processing time).
    func comparable(_ value: JSONValue) -> JSONValue {
        guard case .object(var top) = value else { return value }
        for field in ["ts_ms", "ts_us", "ts_ns"] { top[field] = .null }
        if case .object(var source)? = top["source"] { source["version"] = .null; top["source"] = .object(source) }
        return .object(top)
    }

    @Test func insertMatchesDebeziumExactly() throws {
        let value = try DebeziumEnvelope.value(try change(Fixtures.insertTransaction), prefix: "foodbank.cdc.warehouse", processedMillis: 0)
        #expect(comparable(value) == comparable(try JSONValue.parse(Fixtures.expectedInsertTransaction)))
        #expect(try DebeziumEnvelope.key(try change(Fixtures.insertTransaction)) == .object(["txn_id": .int(1)]))
    }

    @Test func deleteWithDefaultIdentityMatchesDebezium() throws {
        let value = try DebeziumEnvelope.value(try change(Fixtures.deleteItemDefaultIdentity), prefix: "foodbank.cdc.warehouse", processedMillis: 0)
        #expect(comparable(value) == comparable(try JSONValue.parse(Fixtures.expectedDeleteItem)))
        #expect(try DebeziumEnvelope.key(try change(Fixtures.deleteItemDefaultIdentity)) == .object(["sku": .string("A")]))
    }

    /// wal2json's row for `TRUNCATE wms.inventory_transactions` (its shape read off the local
    /// stack's wal2json). Ignoring it would leave every truncated row counted without a word.
    @Test func aTruncateIsPublishedAsDebeziumsTruncateEvent() throws {
        let truncate = #"{"action":"T","xid":48255,"timestamp":"2026-11-22 15:53:00.1+00","lsn":"0/D3AA7B88","schema":"wms","table":"inventory_transactions"}"#
        let change = try change(truncate)
        #expect(change.operation == .truncate && change.before == nil && change.after == nil)
        #expect(try DebeziumEnvelope.key(change) == nil, "Debezium's truncate events have no key")
        let value = try DebeziumEnvelope.value(change, prefix: "foodbank.cdc.warehouse", processedMillis: 0)
        #expect(value["op"] == .string("t") && value["before"] == nil && value["after"] == nil)
        #expect(value["source"]?["table"] == .string("inventory_transactions") && value["source"]?["lsn"] == .int(0xD3AA7B88))
        #expect(change.debeziumChanges.count == 1)
    }

    /// What reconcile and dq read off the item master's topic to know its snapshot was complete.
    @Test func aTablesLastSnapshotRowCompletesItsSnapshot() throws {
        var row = try change(Fixtures.updateItemDefaultIdentity)
        row.operation = .read
        row.before = nil
        for (marker, completes) in [("last_in_data_collection", true), ("last", true), ("first", false), ("true", false)] {
            let value = try DebeziumEnvelope.value(row, prefix: "foodbank.cdc.warehouse", snapshot: marker, processedMillis: 0)
            #expect(SnapshotCompletion.of(changeEvent: value, system: "warehouse").contains { $0.object == "wms.items" } == completes, "\(marker)")
        }
    }

    @Test func updateWithoutFullIdentityHasNoBefore() throws {
        let update = try change(Fixtures.updateItemDefaultIdentity)
        #expect(update.operation == .update)
        #expect(update.before == nil)
        let value = try DebeziumEnvelope.value(update, prefix: "p", processedMillis: 0)
        #expect(value["after"]?["unit_weight_lbs"] == .string("2.250"), "numeric scale must survive")
        #expect(value["after"]?["perishable"] == .bool(false))
    }

    @Test func anUpdateThatChangesTheKeyIsADeleteAndACreate() throws {
        // Default identity: wal2json logs the old key, and Debezium sends a delete of it (NOT NULL
        // columns with fallbacks) and a create of the new key.
        let rekeyed = #"{"action":"U","xid":760,"timestamp":"2026-11-22 15:52:00+00","lsn":"0/29E6000","schema":"wms","table":"items","columns":[{"name":"sku","type":"text","value":"B"},{"name":"description","type":"text","value":"d"},{"name":"category","type":"text","value":"dairy"},{"name":"unit_weight_lbs","type":"numeric(10,3)","value":2.250},{"name":"perishable","type":"boolean","value":false},{"name":"active","type":"boolean","value":true},{"name":"updated_at","type":"timestamp with time zone","value":"2026-11-22 15:52:00+00"}],"identity":[{"name":"sku","type":"text","value":"A"}]}"#
        let events = try change(rekeyed).debeziumChanges
        #expect(events.map(\.operation) == [.delete, .create])
        #expect(try events.map { try DebeziumEnvelope.key($0) } == [.object(["sku": .string("A")]), .object(["sku": .string("B")])])
        let deletion = try DebeziumEnvelope.value(events[0], prefix: "p", processedMillis: 0)
        #expect(deletion["before"]?["description"] == .string("") && deletion["before"]?["unit_weight_lbs"] == .string("0"))
        #expect(deletion["after"] == .null && events.allSatisfy { $0.lsn == events[0].lsn })
        // An update that keeps its key stays one update.
        #expect(try change(Fixtures.updateItemDefaultIdentity).debeziumChanges.map(\.operation) == [.update])
    }

    @Test func snapshotRowsAreMarkedAsDebeziumMarksThem() throws {
        let row = try change(Fixtures.insertTransaction)
        var marks: [String] = []
        var sequence = SnapshotMarker.Sequence()
        // Table 0: three rows; table 1: none; table 2: one row.
        for table in [0, 0, 0, 2] { try sequence.add(row, table: table) { _, marker in marks.append(marker) } }
        try sequence.finish { _, marker in marks.append(marker) }
        #expect(marks == ["first", "true", "last_in_data_collection", "last"])
        var two = SnapshotMarker.Sequence()
        for table in [0, 1, 1, 1] { try two.add(row, table: table) { _, marker in marks.append(marker) } }
        try two.finish { _, marker in marks.append(marker) }
        #expect(marks.suffix(4) == ["first", "first_in_data_collection", "true", "last"])
    }

    @Test func commitCarriesTheEndLSN() throws {
        #expect(try decoder.decode(lsn: "0/29E5F38", data: Fixtures.commit) == .commit(endLSN: LogSequenceNumber("0/29E5F38")!))
        #expect(try decoder.decode(lsn: "0/1", data: #"{"action":"B","xid":1}"#) == .begin)
        // A logical message (a heartbeat's) is no table's change; a truncate is one (see above).
        #expect(try decoder.decode(lsn: "0/1", data: #"{"action":"M","xid":1,"transactional":false,"prefix":"heartbeat","content":"x"}"#) == .ignored("M"))
    }

    @Test func uncapturedTableAndGarbageAreErrorsThatSayWhat() {
        let other = #"{"action":"I","xid":1,"timestamp":"2026-11-22 15:51:56+00","lsn":"0/1","schema":"x","table":"y","columns":[]}"#
        #expect(throws: Wal2JsonDecoder.Malformed.self) { try decoder.decode(lsn: "0/1", data: other) }
        #expect(throws: Wal2JsonDecoder.Malformed.self) { try decoder.decode(lsn: "0/1", data: "{not json") }
    }

    /// Found by scripts/fuzz.sh (wal2json): a commit in the year 202 overflowed ts_ns (a trap).
    @Test func aCommitTimeTsNsCannotHoldIsMalformed() throws {
        let ancient = Fixtures.deleteItemDefaultIdentity.replacingOccurrences(of: "2026-11-22 15:51:56.454978+00", with: "0202-11-22 15:51:56+00")
        let error = #expect(throws: Wal2JsonDecoder.Malformed.self) { try decoder.decode(lsn: "0/1", data: ancient) }
        #expect(error?.reason.contains("outside the years 1677-2262") == true)
        let late = Fixtures.deleteItemDefaultIdentity.replacingOccurrences(of: "2026-11-22 15:51:56.454978+00", with: "2262-04-12 00:00:00+00")
        #expect(throws: Wal2JsonDecoder.Malformed.self) { try decoder.decode(lsn: "0/1", data: late) }
        // The range's own ends are fine.
        let edge = Fixtures.deleteItemDefaultIdentity.replacingOccurrences(of: "2026-11-22 15:51:56.454978+00", with: "2262-04-11 00:00:00+00")
        _ = try DebeziumEnvelope.value(try change(edge), prefix: "p", processedMillis: 0)
    }

    @Test func numericsAreQuotedBeforeParsing() {
        #expect(Wal2JsonDecoder.quotingNumerics(#"{"type":"numeric(12,2)","value":-3.50},{"type":"numeric","value":null}"#)
                == #"{"type":"numeric(12,2)","value":"-3.50"},{"type":"numeric","value":null}"#)
    }
}

@Suite struct PostgresTypeConversionTests {
    func convert(_ value: JSONValue, _ type: String) throws -> JSONValue {
        try PostgresTypeConversion.convert(value, type: type, column: "c")
    }

    @Test func timestampsBecomeUTCISOStrings() throws {
        // Padded to the column's precision, as Debezium's ZonedTimestamp.
        #expect(try convert(.string("2026-11-22 15:51:56.22337+00"), "timestamp with time zone") == .string("2026-11-22T15:51:56.223370Z"))
        #expect(try convert(.string("2026-03-08 01:30:00-08"), "timestamp with time zone") == .string("2026-03-08T09:30:00.000000Z"))
        #expect(try convert(.string("2026-11-01 23:00:00+05:30"), "timestamp with time zone") == .string("2026-11-01T17:30:00.000000Z"))
        #expect(try convert(.string("1969-12-31 23:59:59.5+00"), "timestamp with time zone") == .string("1969-12-31T23:59:59.500000Z"))
        #expect(try convert(.string("2026-11-01 23:00:00.1234+00"), "timestamp(3) with time zone") == .string("2026-11-01T23:00:00.123Z"))
        #expect(try convert(.string("2026-11-01 23:00:00.9+00"), "timestamp(0) with time zone") == .string("2026-11-01T23:00:00Z"))
    }

    @Test func datesAreDaysSinceTheEpoch() throws {
        #expect(try convert(.string("1970-01-01"), "date") == .int(0))
        #expect(try convert(.string("2026-11-22"), "date") == .int(20779))
        #expect(try convert(.string("1969-12-31"), "date") == .int(-1))
    }

    @Test func snapshotTextAndWal2JsonValuesConvertAlike() throws {
        #expect(try convert(.string("t"), "boolean") == .bool(true))
        #expect(try convert(.bool(true), "boolean") == .bool(true))
        #expect(try convert(.string("42"), "bigint") == .int(42))
        #expect(try convert(.int(42), "bigint") == .int(42))
        #expect(try convert(.string("12.50"), "numeric(12,2)") == .string("12.50"))
        #expect(try convert(.null, "numeric(12,2)") == .null)
        #expect(try convert(.string("2026-01-01 00:00:00.000001"), "timestamp without time zone") == .int(1_767_225_600_000_001))
    }

    @Test func nonsenseIsAnErrorNamingTheColumn() {
        let error = #expect(throws: PostgresTypeConversion.Unconvertible.self) { try convert(.string("soon"), "timestamp with time zone") }
        #expect(error?.description.contains("column c") == true)
        #expect(throws: PostgresTypeConversion.Unconvertible.self) { try convert(.string("x"), "integer") }
    }

    /// Found with the wal2json fuzz target: timestamp and date text out of PostgreSQL's ranges
    /// trapped (an offset of four fields indexed past its table, a huge hour, offset or year
    /// overflowed, a time-less value indexed an empty split, a negative precision counted negative
    /// zeros). Each is now an error naming the column; the commit timestamp is read the same way.
    @Test func outOfRangeTimestampTextIsAnError() throws {
        for text in ["2026-11-22 15:51:56+00:00:00:00", "2026-11-22 9999999999999999:00:00+00", "2026-11-22 00:00:00+9999999999999999",
                     "999999999999999999-11-22 00:00:00+00", "2026-11-22 +00", "2026-11-22 24:00:00+00", "2026-11-22 00:00:00+16",
                     "2026-11-22 00:00:00.١+00", "294276-12-31 23:59:59+00"] {
            #expect(throws: PostgresTypeConversion.Unconvertible.self, "\(text)") { try convert(.string(text), "timestamp with time zone") }
        }
        #expect(throws: PostgresTypeConversion.Unconvertible.self) { try convert(.string("999999999999999999-01-01"), "date") }
        #expect(throws: PostgresTypeConversion.Unconvertible.self) { try convert(.string("2026-11-22 99999999999999:00:00"), "timestamp") }
        // PostgreSQL's own ends: offsets to 15:59:59, years as far as microseconds since 1970 reach.
        #expect(try convert(.string("2026-11-22 00:00:00-15:59:59"), "timestamp with time zone") == .string("2026-11-22T15:59:59.000000Z"))
        #expect(try convert(.string("0001-01-01 00:00:00+00"), "timestamp with time zone") == .string("0001-01-01T00:00:00.000000Z"))
        #expect(try convert(.string("292000-01-01"), "date") == .int(105_931_282))
        // A precision PostgreSQL would not keep is held to what it keeps (0 to 6 digits).
        #expect(try convert(.string("2026-11-22 00:00:00.5+00"), "timestamp(-1) with time zone") == .string("2026-11-22T00:00:00Z"))
        #expect(try convert(.string("2026-11-22 00:00:00.5+00"), "timestamp(9) with time zone") == .string("2026-11-22T00:00:00.500000Z"))
    }

    @Test func lsnTextAndValue() {
        #expect(LogSequenceNumber("0/29E5DF8")?.value == 43_933_176)
        #expect(LogSequenceNumber("16/B374D848")?.description == "16/B374D848")
        #expect(LogSequenceNumber("nope") == nil)
    }
}
