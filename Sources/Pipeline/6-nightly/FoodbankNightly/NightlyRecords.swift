import FoodbankCanonical
import FoodbankJSON
import FoodbankPostgres
import Foundation

/// nightly's inputs besides reconcile's ledger: the latest version of every canonical donation,
/// order and shipment record, and every donor, in `nightly.records`.
public enum NightlyRecords {
    public enum Input: Sendable {
        /// `foodbank.unique.donations`, `…agency_orders`, `…fulfillment_line_items`.
        case canonical
        /// `foodbank.cdc.donations.intake.donors`: reference data, the donor type of donations.
        case donors
    }

    /// One batch: the row versions (the newest per record in the batch).
    public struct Batch {
        public var rows: [CanonicalRowVersion] = []
        /// Tables whose snapshot a record of the batch completed (decision 32).
        public var completedSnapshots: Set<SnapshotCompletion> = []
        /// The records it could not read.
        public var rejected: [(index: Int, reason: String)] = []
    }

    public static func versions(_ records: [(input: Input, value: [UInt8]?)]) -> Batch {
        var latest: [String: CanonicalRowVersion] = [:]
        var order: [String] = []
        var batch = Batch()
        for (index, record) in records.enumerated() {
            do {
                guard let (row, completions) = try version(record.input, record.value) else { continue }
                batch.completedSnapshots.formUnion(completions)
                let key = "\(row.recordType)|\(row.sourceID)"
                if latest[key] == nil { order.append(key) }
                // The newest by position, whatever order the partitions were read in.
                if (latest[key]?.position ?? .min) <= row.position { latest[key] = row }
            } catch {
                batch.rejected.append((index, "\(error)"))
            }
        }
        batch.rows = order.compactMap { latest[$0] }
        return batch
    }

    /// A record's row version, and the snapshot it completes if it is its table's last snapshot row.
    static func version(_ input: Input, _ value: [UInt8]?) throws -> (CanonicalRowVersion, [SnapshotCompletion])? {
        switch input {
        case .canonical:
            guard let value else { throw Rejection("a record without a value") }
            let json = try parse(value)
            return (try CanonicalRowVersion(json), SnapshotCompletion.of(canonical: json))
        case .donors:
            // A tombstone follows a delete, whose change event already said so.
            guard let value else { return nil }
            let change = try parse(value)
            guard let op = change["op"]?.stringValue else { throw Rejection("no op in the change event") }
            guard let row = change[op == "d" ? "before" : "after"], let donorID = row["donor_id"]?.stringValue else { throw Rejection("donor without donor_id") }
            return (CanonicalRowVersion(recordType: "donor", sourceID: donorID, live: op != "d", position: change["source"]?["lsn"]?.intValue ?? 0,
                                        fields: row.objectValue ?? [:]),
                    SnapshotCompletion.of(changeEvent: change, system: "donations"))
        }
    }

    /// Newer versions replace older ones (by source position; an equal one is a replay, no change).
    /// A completed snapshot first removes its table's records held at an older position (decision
    /// 32); the batch's own versions then come back over the removal, being newer.
    public static func store(_ batch: Batch, in db: PostgresConnection) throws {
        let completions = batch.completedSnapshots.compactMap { completion in completion.recordType.map { (recordType: $0, completion: completion) } }
            .sorted { ($0.completion.table, $0.completion.position) < ($1.completion.table, $1.completion.position) }
        try completionTable.lock(exclusive: Set(completions.map(\.recordType)), shared: Set(batch.rows.map(\.recordType)), db)
        let latest = try completionTable.record(completions.map { ($0.recordType, $0.completion.position) }, db)
        for (recordType, completion) in completions {
            try db.execute("""
                UPDATE nightly.records SET live = false, position = $2, recorded_at = now()
                WHERE record_type = $1 AND live AND position < $2
                """, [.text(recordType), .int(completion.removalPosition)])
        }
        try store(batch.rows.map { belowSnapshot($0, latest) }, in: db)
    }

    /// By record type: nightly keeps its records by type, one type per source table.
    static let completionTable = SnapshotCompletionTable.nightly

    /// A version older than its table's latest complete snapshot, read after it: its row is gone.
    static func belowSnapshot(_ row: CanonicalRowVersion, _ latest: [String: Int64]) -> CanonicalRowVersion {
        guard let removal = latest[row.recordType].map(SnapshotCompletion.removalPosition(after:)), row.position < removal else { return row }
        var removed = row
        (removed.live, removed.position) = (false, removal)
        return removed
    }

    public static func store(_ rows: [CanonicalRowVersion], in db: PostgresConnection) throws {
        try recordReplacedDates(of: rows, in: db)
        _ = try db.insertRows(into: "nightly.records", columns: ["record_type", "source_id", "live", "position", "fields", "business_date"],
                              rows: rows.map { [.text($0.recordType), .text($0.sourceID), .bool($0.live), .int($0.position),
                                                .text(JSONValue.object($0.fields).encodedString()), .optional($0.businessDate)] },
                              suffix: """
                                  ON CONFLICT (record_type, source_id) DO UPDATE SET live = EXCLUDED.live, position = EXCLUDED.position,
                                      fields = EXCLUDED.fields, business_date = coalesce(EXCLUDED.business_date, nightly.records.business_date),
                                      -- recorded_at says when it changed: a version equal in value is no late data.
                                      recorded_at = CASE WHEN (nightly.records.live, nightly.records.fields) IS NOT DISTINCT FROM (EXCLUDED.live, EXCLUDED.fields)
                                                         THEN nightly.records.recorded_at ELSE now() END
                                  WHERE nightly.records.position < EXCLUDED.position
                                  """)
    }

    /// The days the versions these rows replace counted on, for nightly's late-data round: the
    /// replaced version's own date (a shipment moved to a later day leaves the earlier one), and for
    /// an intake or shipment the earliest day of its old key's movements and witnesses (a key
    /// corrected away leaves that day's reconciliation row and counted intake behind).
    static func recordReplacedDates(of rows: [CanonicalRowVersion], in db: PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        let incoming = JSONValue.array(rows.map { .array([.string($0.recordType), .string($0.sourceID), .int($0.position), .bool($0.live), .object($0.fields)]) })
        // A newer version equal in value (a replay, a re-snapshot) replaces nothing that counted.
        try db.execute("""
            WITH incoming AS (SELECT e->>0 AS record_type, e->>1 AS source_id, (e->>2)::bigint AS position, (e->>3)::boolean AS live, e->4 AS fields
                              FROM jsonb_array_elements($1::jsonb) e),
            replaced AS (SELECT r.* FROM nightly.records r JOIN incoming i USING (record_type, source_id)
                         WHERE r.position < i.position AND (r.live, r.fields) IS DISTINCT FROM (i.live, i.fields)),
            dates AS (
                SELECT business_date AS d FROM replaced
                UNION ALL SELECT m.business_date FROM replaced k JOIN ops.inventory_movements m ON m.reference_id = k.fields->>'donation_id'
                          WHERE k.record_type = 'intake'
                UNION ALL SELECT m.business_date FROM replaced k JOIN ops.inventory_movements m ON m.reference_id = k.fields->>'order_id'
                          WHERE k.record_type = 'shipment'
                UNION ALL SELECT o.business_date FROM replaced k JOIN nightly.records o
                          ON o.record_type = 'intake' AND o.fields->>'donation_id' = k.fields->>'donation_id' WHERE k.record_type = 'intake'
                UNION ALL SELECT o.business_date FROM replaced k JOIN nightly.records o
                          ON o.record_type IN ('order_line', 'shipment', 'order') AND o.fields->>'order_id' = k.fields->>'order_id'
                          WHERE k.record_type = 'shipment')
            INSERT INTO nightly.changed_dates (business_date)
            SELECT min(d) FROM dates HAVING min(d) IS NOT NULL
            ON CONFLICT (business_date) DO UPDATE SET changed_at = clock_timestamp()
            """, [.text(incoming.encodedString())])
    }

    private static func parse(_ value: [UInt8]) throws -> JSONValue {
        do { return try JSONValue.parse(value) } catch { throw Rejection("\(error)") }
    }
}

extension CanonicalRowVersion {
    /// A row version that is not a canonical record (reference data read straight from CDC).
    init(recordType: String, sourceID: String, live: Bool, position: Int64, fields: [String: JSONValue]) {
        self.init(recordType: recordType, sourceID: sourceID, recordID: "\(recordType):\(sourceID)", live: live, position: position,
                  fields: fields, businessDate: nil)
    }
}
