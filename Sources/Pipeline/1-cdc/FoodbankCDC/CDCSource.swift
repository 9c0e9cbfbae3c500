import FoodbankJSON
import FoodbankKafka
import FoodbankPostgres
import Foundation
import Logging

/// Captures one source database into Debezium-format topics: an initial snapshot (`op: r`) taken at
/// the replication slot's exported snapshot, then every committed change from the slot (wal2json).
///
/// Delivery is at least once and never skips: the slot is advanced past a transaction only after
/// Kafka acknowledged every event of it, so a crash re-sends from the last advance. Downstream
/// stages deduplicate by source identity (table, key, transaction id).
public final class CDCSource: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var database: String
        public var sourceURL: String
        /// Debezium's `topic.prefix`, e.g. `foodbank.cdc.warehouse`.
        public var topicPrefix: String
        public var slotName: String
        /// `schema.table` of every captured table.
        public var tables: [String]
        public var maxChangesPerPoll = 5000
        /// Maps a Debezium topic name to the one written (tests append their run's suffix).
        public var topicName: @Sendable (String) -> String = { $0 }
        public var snapshotFetchRows = 5000

        public init(database: String, sourceURL: String, topicPrefix: String, slotName: String, tables: [String]) {
            self.database = database
            self.sourceURL = sourceURL
            self.topicPrefix = topicPrefix
            self.slotName = slotName
            self.tables = tables
        }
    }

    public let configuration: Configuration
    private let producer: KafkaProducer
    private let state: PostgresConnection
    private let logger: Logger
    private var source: PostgresConnection?
    private var decoder: Wal2JsonDecoder?
    public private(set) var eventsPublished = 0

    public init(configuration: Configuration, producer: KafkaProducer, state: PostgresConnection, logger: Logger) {
        self.configuration = configuration
        self.producer = producer
        self.state = state
        self.logger = logger
    }

    /// Connects, reads the tables' shapes, and makes sure the slot exists with its snapshot published.
    public func prepare() throws {
        let db = try PostgresConnection(url: configuration.sourceURL, timeout: .seconds(120), logger: logger)
        try db.execute("SET TimeZone = 'UTC'")
        let schemas = try configuration.tables.map { try Self.loadSchema($0, db) }
        decoder = Wal2JsonDecoder(database: configuration.database, tables: schemas)
        source = db
        if try !snapshotCompleted() { try createSlotAndSnapshot(schemas) }
    }

    // MARK: streaming

    /// Publishes the changes waiting in the slot (whole transactions), then advances the slot.
    /// Returns how many row changes were published.
    @discardableResult
    public func poll() throws -> Int {
        guard let db = source, let decoder else { throw CDCError.notPrepared(configuration.database) }
        let rows = try db.execute("""
            SELECT lsn::text AS lsn, data FROM pg_logical_slot_peek_changes($1, NULL, $2,
                'format-version', '2', 'include-xids', '1', 'include-timestamp', '1', 'include-lsn', '1',
                'include-types', '1', 'add-tables', $3)
            """, [.text(configuration.slotName), .int(Int64(configuration.maxChangesPerPoll)),
                  .text(configuration.tables.joined(separator: ","))])
        var published = 0
        var lastCommit: LogSequenceNumber?
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for row in 0..<rows.count {
            switch try decoder.decode(lsn: rows.value(row, "lsn") ?? "", data: rows.value(row, "data") ?? "") {
            case .change(let change):
                if change.operation == .truncate {
                    logger.error("TRUNCATE of a captured table: its rows are still counted downstream (README, decision 31)",
                                 metadata: ["table": "\(change.schema).\(change.table)", "lsn": "\(change.lsn)"])
                }
                try publish(change, snapshot: "false", processedMillis: now)
                published += 1
            case .commit(let end):
                lastCommit = end
            case .begin, .ignored:
                break
            }
        }
        guard let lastCommit else { return 0 }
        // Kafka has everything up to lastCommit before PostgreSQL may forget it.
        try producer.flush()
        try db.execute("SELECT pg_replication_slot_advance($1, $2::pg_lsn)", [.text(configuration.slotName), .text(lastCommit.description)])
        eventsPublished += published
        return published
    }

    private func publish(_ change: RowChange, snapshot: String, processedMillis: Int64) throws {
        for event in change.debeziumChanges { try publishEvent(event, snapshot: snapshot, processedMillis: processedMillis) }
    }

    private func publishEvent(_ change: RowChange, snapshot: String, processedMillis: Int64) throws {
        let topic = configuration.topicName(DebeziumEnvelope.topic(prefix: configuration.topicPrefix, schema: change.schema, table: change.table))
        let key = try DebeziumEnvelope.key(change)?.encoded()
        let value = try DebeziumEnvelope.value(change, prefix: configuration.topicPrefix, snapshot: snapshot, processedMillis: processedMillis)
        try producer.send(KafkaRecord(topic: topic, key: key, value: value.encoded()))
        // Debezium follows a delete with a tombstone so compaction can drop the key.
        if change.operation == .delete { try producer.send(KafkaRecord(topic: topic, key: key, value: nil)) }
    }

    // MARK: slot and snapshot

    private func snapshotCompleted() throws -> Bool {
        let row = try state.execute("SELECT snapshot_completed_at IS NOT NULL AS done FROM platform.cdc_sources WHERE slot_name = $1",
                                    [.text(configuration.slotName)])
        let slotExists = try source!.execute("SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1",
                                             [.text(configuration.slotName)]).scalar == "1"
        if row.count == 1, row.value(0, "done") == "t", slotExists { return true }
        if slotExists {
            logger.warning("slot exists but its snapshot never completed: dropping it and starting over",
                           metadata: ["slot": "\(configuration.slotName)"])
            try source!.execute("SELECT pg_drop_replication_slot($1)", [.text(configuration.slotName)])
        }
        return false
    }

    /// Creates the slot over a replication connection, which exports the snapshot the slot starts
    /// after; reads every table in that snapshot, so no change is in neither or both.
    private func createSlotAndSnapshot(_ schemas: [TableSchema]) throws {
        let separator = configuration.sourceURL.contains("?") ? "&" : "?"
        let replication = try PostgresConnection(url: configuration.sourceURL + separator + "replication=database", logger: logger)
        defer { replication.close() }
        guard configuration.slotName.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw CDCError.invalidSlotName(configuration.slotName)
        }
        let created = try replication.executeScript("CREATE_REPLICATION_SLOT \(configuration.slotName) LOGICAL wal2json EXPORT_SNAPSHOT")
        guard let point = created.value(0, "consistent_point"), let consistentPoint = LogSequenceNumber(point),
              let snapshotName = created.value(0, "snapshot_name"),
              snapshotName.allSatisfy({ $0.isHexDigit || $0 == "-" }) else { throw CDCError.unexpectedSlotReply(configuration.slotName) }
        let lsn = try snapshotPosition(consistentPoint: consistentPoint)
        try state.execute("""
            INSERT INTO platform.cdc_sources (slot_name, database_name, topic_prefix, consistent_point) VALUES ($1, $2, $3, $4)
            ON CONFLICT (slot_name) DO UPDATE SET consistent_point = EXCLUDED.consistent_point, snapshot_completed_at = NULL, created_at = now()
            """, [.text(configuration.slotName), .text(configuration.database), .text(configuration.topicPrefix), .text(point)])

        let reader = try PostgresConnection(url: configuration.sourceURL, logger: logger)
        defer { reader.close() }
        try reader.execute("SET TimeZone = 'UTC'")
        var rows: Int64 = 0
        try reader.transaction { reader in
            try reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            // The name comes from the server and was checked to be hex digits and dashes.
            try reader.execute("SET TRANSACTION SNAPSHOT '\(snapshotName)'")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            // One transaction id for every snapshot row, as Debezium gives its snapshot transaction's.
            let snapshotTransaction = Int64(try reader.execute("SELECT txid_current()::text").scalar ?? "") ?? 0
            var markers = SnapshotMarker.Sequence()
            for (index, schema) in schemas.enumerated() {
                rows += try snapshot(schema, reader, lsn: lsn, transactionID: snapshotTransaction, millis: now, markers: &markers, table: index)
            }
            try markers.finish { try publish($0, snapshot: $1, processedMillis: now) }
        }
        try producer.flush()
        try state.execute("UPDATE platform.cdc_sources SET snapshot_completed_at = now(), snapshot_rows = $2 WHERE slot_name = $1",
                          [.text(configuration.slotName), .int(rows)])
        logger.info("snapshot published", metadata: ["database": "\(configuration.database)", "rows": "\(rows)", "consistent_point": "\(point)",
                                                     "rows_at": "\(lsn)"])
    }

    /// The position the snapshot's rows carry (decision 38): the slot's restart point, where the
    /// decoding of every transaction the slot streams begins, not its consistent point. A
    /// transaction open across the consistent point wrote its changes below it and commits above
    /// it: the snapshot holds its rows as they were, the slot streams it, and at the consistent
    /// point its changes would lose to the snapshot's older copy (an insert in it, below the
    /// table's completion, would be removed: `ContractEdges/aSnapshotTakenWhileTheWarehouseWrites…`
    /// lost a receipt so). Every change the slot streams is at or above the restart point.
    private func snapshotPosition(consistentPoint: LogSequenceNumber) throws -> LogSequenceNumber {
        let restart = try source!.execute("SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = $1",
                                          [.text(configuration.slotName)]).scalar.flatMap(LogSequenceNumber.init)
        // Without it, the snapshot would sit at its consistent point, and the loss would be back.
        guard let restart, restart.value > 1 else { throw CDCError.unexpectedSlotReply(configuration.slotName) }
        return LogSequenceNumber(min(restart.value, consistentPoint.value) - 1)
    }

    private func snapshot(_ schema: TableSchema, _ reader: PostgresConnection, lsn: LogSequenceNumber, transactionID: Int64, millis: Int64,
                          markers: inout SnapshotMarker.Sequence, table: Int) throws -> Int64 {
        let columns = schema.columns.map { PostgresConnection.quoteIdentifier($0.name) }.joined(separator: ", ")
        let name = PostgresConnection.quoteIdentifier(schema.schema) + "." + PostgresConnection.quoteIdentifier(schema.table)
        try reader.execute("DECLARE snapshot_rows NO SCROLL CURSOR FOR SELECT \(columns) FROM \(name)")
        defer { _ = try? reader.execute("CLOSE snapshot_rows") }
        var count: Int64 = 0
        while true {
            let batch = try reader.execute("FETCH \(configuration.snapshotFetchRows) FROM snapshot_rows")
            if batch.count == 0 { break }
            for row in 0..<batch.count {
                let values = schema.columns.enumerated().map { index, column in
                    RowChange.Column(name: column.name, type: column.type, value: batch.rows[row][index].map(JSONValue.string) ?? .null)
                }
                let change = RowChange(operation: .read, database: configuration.database, schema: schema.schema, table: schema.table,
                                       after: values, before: nil, lsn: lsn, transactionID: transactionID,
                                       commitMillis: millis, keyColumns: schema.keyColumns)
                // A row is published once the next is read: only then is it known to be its table's last.
                try markers.add(change, table: table) { try publish($0, snapshot: $1, processedMillis: millis) }
                count += 1
            }
        }
        eventsPublished += Int(count)
        return count
    }

    static func loadSchema(_ qualified: String, _ db: PostgresConnection) throws -> TableSchema {
        let parts = qualified.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw CDCError.unknownTable(qualified) }
        let columns = try db.execute("""
            SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, [.text(parts[0]), .text(parts[1])])
        guard columns.count > 0 else { throw CDCError.unknownTable(qualified) }
        let keys = try db.execute("""
            SELECT a.attname AS name FROM pg_index i
            JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE n.nspname = $1 AND c.relname = $2 AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)
            """, [.text(parts[0]), .text(parts[1])])
        return TableSchema(schema: parts[0], table: parts[1],
                           columns: (0..<columns.count).map { (columns.value($0, "name")!, columns.value($0, "type")!) },
                           keyColumns: (0..<keys.count).map { keys.value($0, "name")! },
                           notNullColumns: Set((0..<columns.count).filter { columns.value($0, "not_null") == "t" }.map { columns.value($0, "name")! }))
    }
}

public enum CDCError: Error, CustomStringConvertible {
    case notPrepared(String)
    case unknownTable(String)
    case invalidSlotName(String)
    case unexpectedSlotReply(String)

    public var description: String {
        switch self {
        case .notPrepared(let db): return "cdc source \(db) used before prepare()"
        case .unknownTable(let table): return "table \(table) does not exist in the source database"
        case .invalidSlotName(let slot): return "slot name \(slot) may hold only letters, digits and underscores"
        case .unexpectedSlotReply(let slot): return "CREATE_REPLICATION_SLOT \(slot) did not return a consistent point and snapshot"
        }
    }
}
