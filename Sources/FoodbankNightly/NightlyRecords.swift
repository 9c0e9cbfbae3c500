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

    /// One batch as row versions (the newest per record in the batch) and the records it could not read.
    public static func versions(_ records: [(input: Input, value: [UInt8]?)]) -> (rows: [CanonicalRowVersion], rejected: [(index: Int, reason: String)]) {
        var latest: [String: CanonicalRowVersion] = [:]
        var order: [String] = []
        var rejected: [(index: Int, reason: String)] = []
        for (index, record) in records.enumerated() {
            do {
                guard let row = try version(record.input, record.value) else { continue }
                let key = "\(row.recordType)|\(row.sourceID)"
                if latest[key] == nil { order.append(key) }
                // The newest by position, whatever order the partitions were read in.
                if (latest[key]?.position ?? .min) <= row.position { latest[key] = row }
            } catch {
                rejected.append((index, "\(error)"))
            }
        }
        return (order.compactMap { latest[$0] }, rejected)
    }

    static func version(_ input: Input, _ value: [UInt8]?) throws -> CanonicalRowVersion? {
        switch input {
        case .canonical:
            guard let value else { throw Rejection("a record without a value") }
            return try CanonicalRowVersion(try parse(value))
        case .donors:
            // A tombstone follows a delete, whose change event already said so.
            guard let value else { return nil }
            let change = try parse(value)
            guard let op = change["op"]?.stringValue else { throw Rejection("no op in the change event") }
            guard let row = change[op == "d" ? "before" : "after"], let donorID = row["donor_id"]?.stringValue else { throw Rejection("donor without donor_id") }
            return CanonicalRowVersion(recordType: "donor", sourceID: donorID, live: op != "d", position: change["source"]?["lsn"]?.intValue ?? 0,
                                       fields: row.objectValue ?? [:])
        }
    }

    /// Newer versions replace older ones (by source position; an equal one is a replay, no change).
    public static func store(_ rows: [CanonicalRowVersion], in db: PostgresConnection) throws {
        _ = try db.insertRows(into: "nightly.records", columns: ["record_type", "source_id", "live", "position", "fields", "business_date"],
                              rows: rows.map { [.text($0.recordType), .text($0.sourceID), .bool($0.live), .int($0.position),
                                                .text(JSONValue.object($0.fields).encodedString()), .optional($0.businessDate)] },
                              suffix: """
                                  ON CONFLICT (record_type, source_id) DO UPDATE SET live = EXCLUDED.live, position = EXCLUDED.position,
                                      fields = EXCLUDED.fields, business_date = coalesce(EXCLUDED.business_date, nightly.records.business_date), recorded_at = now()
                                  WHERE nightly.records.position < EXCLUDED.position
                                  """)
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
