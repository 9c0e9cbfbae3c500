import FoodbankJSON
import Foundation

/// The canonical `inventory_events` record (schema `topics/schemas/inventory_events.v1.json`):
/// one effect on one (sku, location, lot) position of one version of a source row. A version becomes
/// one event (two for a transfer, its legs); a deleted row, or a feed file's superseded version of a
/// row, a retraction. Events are states, not deltas: a consumer keeps the latest version of each row
/// by ``SourceCoordinates/rowID`` and position and counts that one alone.
public struct InventoryEvent: Sendable, Equatable {
    public static let schemaVersion: Int64 = 1

    public enum MovementType: String, Sendable, CaseIterable {
        case receipt, transferOut = "transfer_out", transferIn = "transfer_in", adjustment, spoilage, distribution
    }

    /// Deterministic from the source identity and its change's position: the same source change
    /// always gives the same id, so replays and re-deliveries are recognisable downstream.
    public var eventID: String
    public var change: VersionChange
    public var isRetraction: Bool { change == .retract }
    public var movementType: MovementType
    public var sku: String
    public var locationID: String
    /// "" for no lot.
    public var lotCode: String
    /// Size of the movement, positive (an adjustment's is its signed delta).
    public var quantityCases: Decimal
    /// The effect on on-hand: signed by type (0 for an unreadable version).
    public var deltaCases: Decimal
    /// The movement's own weight when the source gave one; else downstream derives it from the item.
    public var weightLbs: Decimal?
    public var referenceType: String?
    public var referenceID: String?
    public var occurredAt: Date
    /// `YYYY-MM-DD` in America/Los_Angeles (a feed-6 adjustment's `effective_date`).
    public var businessDate: String
    public var source: SourceCoordinates
    public var processedAt: Date

    public var key: String { sku }

    /// Which part of its source row's version this event is: a transfer has an `out` and an `in`
    /// leg, every other movement one leg, "".
    public var leg: String {
        switch movementType {
        case .transferOut: "out"
        case .transferIn: "in"
        default: ""
        }
    }

    public func json() -> JSONValue {
        func decimal(_ d: Decimal) -> JSONValue { .string("\(d)") }
        return .object([
            "schema_version": .int(Self.schemaVersion),
            "event_id": .string(eventID),
            "retraction": .bool(isRetraction),
            "change": .string(change.rawValue),
            "movement_type": .string(movementType.rawValue),
            "sku": .string(sku),
            "location_id": .string(locationID),
            "lot_code": .string(lotCode),
            "quantity_cases": decimal(quantityCases),
            "delta_cases": decimal(deltaCases),
            "weight_lbs": weightLbs.map(decimal) ?? .null,
            "reference_type": referenceType.map(JSONValue.string) ?? .null,
            "reference_id": referenceID.map(JSONValue.string) ?? .null,
            "occurred_at": .string(BusinessTime.iso8601(occurredAt)),
            "business_date": .string(businessDate),
            "source": source.json(),
            "processed_at": .string(BusinessTime.iso8601(processedAt)),
        ])
    }
}

/// Where a canonical record came from, precisely enough to find the source row again.
public struct SourceCoordinates: Sendable, Equatable {
    /// `warehouse`, `legacy_wms`, `adjustments`, ...
    public var system: String
    /// `wms.inventory_transactions`; for a feed its name (`legacy_wms`, `adjustments`): a feed row
    /// is one row across all the files of its feed.
    public var object: String
    /// The row's identity in its source: primary key, or the feed's business id (feed 5:
    /// `site_code|movement_id`; feed 6: `adjustment_id`).
    public var sourceID: String
    /// The source version: transaction id for CDC, `v<file version>:<record>` for files.
    public var version: String
    /// The version's position, a decimal integer: the change's LSN for CDC; for feeds
    /// ``FeedPosition`` of the file version's delivery and the row's line.
    public var position: String
    public var committedAt: Date?
    /// What holds the row: "" for a CDC table (one holder); for feeds the file name (a row is held
    /// by every live file that has it, and counts with the latest-delivered one).
    public var holder: String = ""
    /// On the last row of a table's snapshot, Debezium's marker of it (`last_in_data_collection`,
    /// or `last` for the snapshot's very last row, which completes every table of its system): the
    /// table held no row but those snapshotted at this position or changed after it, so a sink
    /// removes the table's rows it holds at an older position (decision 32).
    public var completesSnapshot: String?

    /// The row's identity across systems and holders.
    public var rowID: String { "\(system):\(object):\(sourceID)" }
    public var positionValue: Int64 { Int64(position) ?? 0 }

    public func json() -> JSONValue {
        var fields: [String: JSONValue] = [
            "system": .string(system), "object": .string(object), "source_id": .string(sourceID), "version": .string(version),
            "position": .string(position), "committed_at": committedAt.map { .string(BusinessTime.iso8601($0)) } ?? .null,
            "holder": .string(holder),
        ]
        if let completesSnapshot { fields["completes_snapshot"] = .string(completesSnapshot) }
        return .object(fields)
    }
}
