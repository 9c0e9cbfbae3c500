import FoodbankJSON
import Foundation

/// The canonical `inventory_events` record (schema `topics/schemas/inventory_events.v1.json`):
/// one effect on one (sku, location, lot) position. A source row becomes one event (two for a
/// transfer); a corrected or deleted row becomes a retraction of its old effect (and the new one).
/// Summing `delta_cases` over a position's events gives its on-hand, whatever was corrected.
public struct InventoryEvent: Sendable, Equatable {
    public static let schemaVersion: Int64 = 1

    public enum MovementType: String, Sendable, CaseIterable {
        case receipt, transferOut = "transfer_out", transferIn = "transfer_in", adjustment, spoilage, distribution
    }

    /// Deterministic from the source identity and version: the same source change always gives
    /// the same id, so replays and re-deliveries are recognisable downstream.
    public var eventID: String
    /// True for the negation of an earlier effect (an update's old row, a deleted row, a corrected file's old rows).
    public var isRetraction: Bool
    public var movementType: MovementType
    public var sku: String
    public var locationID: String
    /// "" for no lot.
    public var lotCode: String
    /// Size of the movement, positive (an adjustment's is its signed delta).
    public var quantityCases: Decimal
    /// The effect on on-hand: signed by type, negated for a retraction.
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

    public func json() -> JSONValue {
        func decimal(_ d: Decimal) -> JSONValue { .string("\(d)") }
        return .object([
            "schema_version": .int(Self.schemaVersion),
            "event_id": .string(eventID),
            "retraction": .bool(isRetraction),
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
    /// `wms.inventory_transactions`, or the file name.
    public var object: String
    /// The row's identity in its source: primary key, or the feed's business id.
    public var sourceID: String
    /// The source version: transaction id for CDC, `v<version>:<record>` for files.
    public var version: String
    /// LSN for CDC, `sha256` of the file for feeds.
    public var position: String
    public var committedAt: Date?

    public func json() -> JSONValue {
        .object([
            "system": .string(system), "object": .string(object), "source_id": .string(sourceID), "version": .string(version),
            "position": .string(position), "committed_at": committedAt.map { .string(BusinessTime.iso8601($0)) } ?? .null,
        ])
    }
}
