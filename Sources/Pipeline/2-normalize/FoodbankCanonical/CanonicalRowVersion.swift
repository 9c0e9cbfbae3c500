import FoodbankJSON
import Foundation

/// One version of a source row as a canonical record states it, as the consumers that keep the
/// latest version of each row store it (dq's facts, nightly's records): which row, whether it is
/// live after this record (a retraction says it is not), its source position, and its fields
/// without the envelope.
public struct CanonicalRowVersion: Sendable, Equatable {
    public var recordType: String
    /// The row's identity in its source system (primary key, or the feed's business id).
    public var sourceID: String
    /// `system:object:source_id`, and `@file` for a feed row: the row's identity at its holder
    /// (a feed row held by two files is two records, each live while its file holds it).
    public var recordID: String
    /// `system:object:source_id` without the holder: the row whatever file holds it.
    public var rowID: String
    public var live: Bool
    /// LSN for CDC; for files ``FeedPosition`` (delivery, then line).
    public var position: Int64
    public var fields: [String: JSONValue]
    /// `YYYY-MM-DD` in America/Los_Angeles where the kind is dated.
    public var businessDate: String?

    public init(recordType: String, sourceID: String, recordID: String, live: Bool, position: Int64, fields: [String: JSONValue], businessDate: String?) {
        (self.recordType, self.sourceID, self.recordID, self.rowID, self.live) = (recordType, sourceID, recordID, recordID, live)
        (self.position, self.fields, self.businessDate) = (position, fields, businessDate)
    }

    public init(_ json: JSONValue) throws {
        guard let source = json["source"], let system = source["system"]?.stringValue, let object = source["object"]?.stringValue,
              let sourceID = source["source_id"]?.stringValue else { throw Rejection("source coordinates missing") }
        guard let retraction = json["retraction"]?.boolValue else { throw Rejection("retraction missing") }
        self.recordType = json["record_type"]?.stringValue ?? "inventory_event"
        self.sourceID = sourceID
        let holder = source["holder"]?.stringValue ?? ""
        self.rowID = "\(system):\(object):\(sourceID)"
        self.recordID = rowID + (holder.isEmpty ? "" : "@\(holder)")
        // An unreadable version is held but names nothing and counts nothing.
        self.live = !retraction && json["change"]?.stringValue != VersionChange.unreadable.rawValue
        self.position = source["position"]?.stringValue.flatMap { Int64($0) } ?? 0
        var fields = json.objectValue ?? [:]
        for envelope in CanonicalRecord.envelopeFields { fields.removeValue(forKey: envelope) }
        self.fields = fields
        self.businessDate = json["business_date"]?.stringValue
    }

    public func text(_ name: String) -> String? { fields[name]?.stringValue ?? fields[name]?.intValue.map(String.init) }
    public func int(_ name: String) -> Int64? { fields[name]?.intValue }
}
