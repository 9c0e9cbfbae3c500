import FoodbankJSON
import Foundation

/// Which normalization rule a raw topic's records follow.
public enum RawSource: String, Sendable, CaseIterable {
    case warehouseMovements, legacyFeed, adjustmentsFeed

    /// Turns one raw record (bytes as read from Kafka) into canonical inventory events; a tombstone
    /// (nil) is no event. Throws ``Rejection`` with the reason for anything it cannot read.
    public func inventoryEvents(_ value: [UInt8]?, processedAt: Date) throws -> [InventoryEvent] {
        guard let value else {
            if self == .warehouseMovements { return [] }
            throw Rejection("a feed record without a value")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(value) } catch { throw Rejection("\(error)") }
        switch self {
        case .warehouseMovements: return try InventoryNormalizer.fromWarehouse(json, processedAt: processedAt)
        case .legacyFeed: return try InventoryNormalizer.fromLegacyFeed(json, processedAt: processedAt)
        case .adjustmentsFeed: return try InventoryNormalizer.fromAdjustmentsFeed(json, processedAt: processedAt)
        }
    }
}
