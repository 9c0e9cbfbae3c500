import FoodbankJSON

/// Turns wal2json (format version 2) output rows into ``RowChange``s.
///
/// wal2json prints numerics as bare JSON numbers, which a JSON parser would round (`3.50` becomes
/// 3.5); the decoder quotes them first so their exact text survives, as Debezium's
/// `decimal.handling.mode=string` keeps it.
public struct Wal2JsonDecoder: Sendable {
    public enum Decoded: Equatable, Sendable {
        case begin
        case change(RowChange)
        /// The end of a transaction; `endLSN` is where the slot may be advanced to once everything
        /// before it is in Kafka.
        case commit(endLSN: LogSequenceNumber)
        case ignored(String)
    }

    public struct Malformed: Error, CustomStringConvertible, Equatable {
        public let reason: String
        public let data: String
        public var description: String { "wal2json row not understood (\(reason)): \(data.prefix(300))" }
    }

    public let database: String
    public let tables: [String: TableSchema]

    public init(database: String, tables: [TableSchema]) {
        self.database = database
        self.tables = Dictionary(uniqueKeysWithValues: tables.map { ($0.qualifiedName, $0) })
    }

    /// `lsn` is the row's position column from `pg_logical_slot_peek_changes`.
    public func decode(lsn lsnText: String, data: String) throws -> Decoded {
        let json: JSONValue
        do { json = try JSONValue.parse(Self.quotingNumerics(data)) } catch { throw Malformed(reason: "\(error)", data: data) }
        guard let action = json["action"]?.stringValue else { throw Malformed(reason: "no action", data: data) }
        switch action {
        case "B": return .begin
        case "C":
            guard let end = LogSequenceNumber(lsnText) else { throw Malformed(reason: "bad lsn \(lsnText)", data: data) }
            return .commit(endLSN: end)
        case "I", "U", "D", "T":
            return .change(try change(json, action: action, data: data))
        default:
            return .ignored(action)   // "M": logical messages (a heartbeat's), no table's change
        }
    }

    private func change(_ json: JSONValue, action: String, data: String) throws -> RowChange {
        guard let schema = json["schema"]?.stringValue, let table = json["table"]?.stringValue,
              let xid = json["xid"]?.intValue, let lsnText = json["lsn"]?.stringValue, let lsn = LogSequenceNumber(lsnText),
              let timestamp = json["timestamp"]?.stringValue, let commit = Instant(postgresText: timestamp)
        else { throw Malformed(reason: "missing schema, table, xid, lsn or timestamp", data: data) }
        // The envelope's source.ts_ns is the commit time in nanoseconds, an Int64: 1677-09-21 to
        // 2262-04-11. A commit outside that cannot be written (Debezium's connector fails on it too).
        guard !(commit.epochMicros / 1000).multipliedReportingOverflow(by: 1_000_000).overflow else {
            throw Malformed(reason: "commit timestamp \(timestamp) is outside the years 1677-2262 an event's ts_ns can hold", data: data)
        }
        guard let shape = tables["\(schema).\(table)"] else { throw Malformed(reason: "table \(schema).\(table) is not captured", data: data) }
        let columns = try Self.columns(json["columns"], data: data)
        let identity = try Self.columns(json["identity"], data: data)
        let fullIdentity = identity.map { Set($0.map(\.name)) == Set(shape.columns.map(\.name)) } ?? false
        let operation: RowChange.Operation
        var before: [RowChange.Column]?
        switch action {
        case "I":
            operation = .create
        case "U":
            operation = .update
            // Debezium has the old row when the table's replica identity is FULL; without it only the
            // old key, and only when the update changed it (then a delete and a create, see RowChange).
            if fullIdentity {
                before = identity
            } else if let identity, RowChange.key(identity, shape.keyColumns) != RowChange.key(columns ?? [], shape.keyColumns) {
                before = shape.rowFromIdentity(identity)
            }
        case "T":
            // No row: the table's rows are gone. Published so that it is seen (README, decision 31).
            operation = .truncate
        default:
            operation = .delete
            // Without FULL identity Debezium gives the key and, for the other columns, null or a
            // NOT NULL column's fallback.
            before = identity.map(shape.rowFromIdentity)
        }
        return RowChange(operation: operation, database: database, schema: schema, table: table,
                         after: [.delete, .truncate].contains(operation) ? nil : columns, before: before, lsn: lsn, transactionID: xid,
                         commitMillis: commit.epochMicros / 1000, keyColumns: shape.keyColumns)
    }

    private static func columns(_ value: JSONValue?, data: String) throws -> [RowChange.Column]? {
        guard let items = value?.arrayValue else { return nil }
        return try items.map { item in
            guard let name = item["name"]?.stringValue, let type = item["type"]?.stringValue, let value = item["value"] else {
                throw Malformed(reason: "column without name, type or value", data: data)
            }
            return RowChange.Column(name: name, type: type, value: value)
        }
    }

    /// `"type":"numeric(12,2)","value":3.50` becomes `"type":"numeric(12,2)","value":"3.50"`.
    /// A byte scan, not a regular expression: it runs on every change and dominated decoding time.
    static func quotingNumerics(_ data: String) -> String {
        let bytes = Array(data.utf8)
        let typeMarker = Array(#""type":""#.utf8)
        let valueMarker = Array(#","value":"#.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\""), bytes[i...].starts(with: typeMarker) else { out.append(bytes[i]); i += 1; continue }
            let typeStart = i + typeMarker.count
            guard let typeEnd = bytes[typeStart...].firstIndex(of: UInt8(ascii: "\"")) else { break }
            let type = bytes[typeStart..<typeEnd]
            out.append(contentsOf: bytes[i...typeEnd])
            i = typeEnd + 1
            let numeric = type.starts(with: Array("numeric".utf8)) || type.starts(with: Array("decimal".utf8))
            guard numeric, bytes[i...].starts(with: valueMarker) else { continue }
            out.append(contentsOf: valueMarker)
            i += valueMarker.count
            var end = i
            while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) || "-+.eE".utf8.contains(bytes[end]) { end += 1 }
            if end > i {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: bytes[i..<end])
                out.append(UInt8(ascii: "\""))
                i = end
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
