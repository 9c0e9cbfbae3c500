import FoodbankJSON

/// A complete snapshot of one source table, told by the record that carries its table's last
/// snapshot marker. Every row the table held is in the snapshot at `position`, or was changed after
/// it; so a row a sink still holds at an older position was deleted while no slot existed (a
/// re-snapshot after a lost slot or lost connector offsets). The sink removes it at
/// ``removalPosition`` (decision 32).
///
/// The removal needs no barrier across partitions: a snapshot row read after it is newer and puts
/// its row back, and a change streamed after the snapshot is newer still. Until the table's other
/// snapshot rows are read, the rows they carry are missing: a re-snapshot's numbers settle when
/// the sinks have read it.
public struct SnapshotCompletion: Hashable, Sendable {
    public var system: String
    /// `schema.table`.
    public var object: String
    public var position: Int64

    public init(system: String, object: String, position: Int64) {
        (self.system, self.object, self.position) = (system, object, position)
    }

    /// Older than every row of the snapshot, newer than every change streamed before it.
    public var removalPosition: Int64 { Self.removalPosition(after: position) }

    /// The removal position of a snapshot taken at `position`.
    public static func removalPosition(after position: Int64) -> Int64 { position - 1 }

    /// `system:object`, the table's name across systems.
    public var table: String { "\(system):\(object)" }

    /// The start of the identity (`system:object:source_id`) of every row of the table.
    public var rowIDPrefix: String { table + ":" }

    /// The position below which a version of `rowID` (`system:object:source_id`, `@holder` after it
    /// for a feed) is a row its table's latest complete snapshot lacked, given each table's latest
    /// complete snapshot position: that snapshot's removal position, or nil.
    public static func removalPosition(of rowID: String, latest: [String: Int64]) -> Int64? {
        guard !latest.isEmpty, let table = table(of: rowID), let position = latest[table] else { return nil }
        return removalPosition(after: position)
    }

    /// What a version of `rowID` at `position` becomes when it is older than its table's latest
    /// complete snapshot: a removal at this position; nil when it stands.
    public static func removal(of rowID: String, at position: Int64, latest: [String: Int64]) -> Int64? {
        removalPosition(of: rowID, latest: latest).flatMap { position < $0 ? $0 : nil }
    }

    /// `system:object` of a row identity `system:object:source_id`.
    public static func table(of rowID: String) -> String? {
        let parts = rowID.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 ? "\(parts[0]):\(parts[1])" : nil
    }

    /// The captured tables of each source system, in the order cdc snapshots them (the topic
    /// catalog's; a test keeps the two in step).
    public static let capturedTables: [String: [String]] = [
        "warehouse": ["wms.items", "wms.locations", "wms.inventory_transactions"],
        "donations": ["intake.donors", "intake.donations", "intake.donation_lines"],
        "agency": ["agency.agencies", "agency.orders", "agency.order_lines"],
        "fulfillment": ["pick.shipments", "pick.shipment_lines"],
    ]

    /// The tables a snapshot row completes: its own for `last_in_data_collection`; for `last`, the
    /// snapshot's very last row, every table of its system. A table with no row, or with one row
    /// that is not the snapshot's last, has no table marker of its own (Debezium marks a lone row
    /// `first_in_data_collection`), so `last` is what completes it.
    static func completions(marker: String?, system: String, object: String, position: Int64) -> [SnapshotCompletion] {
        // A position of 0 or less is no LSN (and P - 1 must not overflow).
        guard position > 0 else { return [] }
        switch marker {
        case "last_in_data_collection": return [SnapshotCompletion(system: system, object: object, position: position)]
        case "last":
            return (capturedTables[system] ?? [object]).map { SnapshotCompletion(system: system, object: $0, position: position) }
        default: return []
        }
    }

    /// From a canonical record that completes snapshots (`source.completes_snapshot`, with the marker).
    public static func of(canonical json: JSONValue) -> [SnapshotCompletion] {
        guard let source = json["source"], let marker = source["completes_snapshot"]?.stringValue,
              let system = source["system"]?.stringValue, let object = source["object"]?.stringValue,
              let position = source["position"]?.stringValue.flatMap({ Int64($0) }) else { return [] }
        return completions(marker: marker, system: system, object: object, position: position)
    }

    /// From a Debezium change event read straight from a CDC topic (the item master, donors).
    public static func of(changeEvent json: JSONValue?, system: String) -> [SnapshotCompletion] {
        guard let json, json["op"]?.stringValue == "r", let source = json["source"],
              let schema = source["schema"]?.stringValue, let table = source["table"]?.stringValue,
              let position = source["lsn"]?.intValue else { return [] }
        return completions(marker: source["snapshot"]?.stringValue, system: system, object: "\(schema).\(table)", position: position)
    }

    /// The record type the sinks keep this table's rows as, if they keep them.
    public var recordType: String? {
        switch object {
        case "wms.items": "item"
        case "wms.inventory_transactions": "inventory_event"
        case "intake.donors": "donor"
        default: RecordSpec.all.first { $0.table == object }?.recordType
        }
    }
}
