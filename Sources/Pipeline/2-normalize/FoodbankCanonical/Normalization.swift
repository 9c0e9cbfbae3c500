import FoodbankJSON
import Foundation

/// One canonical record ready to publish: the model's topic suffix, its key and id, and its JSON.
public struct CanonicalOutput: Sendable, Equatable {
    /// `inventory_events`, `donations`, `agency_orders` or `fulfillment_line_items`.
    public let model: String
    public let key: String
    public let eventID: String
    public let value: JSONValue

    public init(_ event: InventoryEvent) {
        (model, key, eventID, value) = ("inventory_events", event.key, event.eventID, event.json())
    }

    public init(_ record: CanonicalRecord) {
        (model, key, eventID, value) = (record.model.rawValue, record.key, record.eventID, record.json())
    }

    /// Every canonical model, as topic suffixes.
    public static let models = ["inventory_events"] + CanonicalModel.allCases.map(\.rawValue)
}

/// Headers every canonical record carries, so dedupe reads the id without parsing the value.
public enum CanonicalHeaders {
    public static let eventID = "foodbank.event_id"
    /// The raw record's coordinates (`topic[partition]@offset`).
    public static let source = "foodbank.source"
}

/// Which normalization rule a raw topic's records follow.
public enum RawSource: Sendable, Equatable {
    case warehouseMovements, legacyFeed, adjustmentsFeed
    /// A table of the donations, agency or fulfillment systems, by its spec's table name.
    case table(String)

    /// The rule for a raw topic by its name (`…wms.inventory_transactions`, `…files.legacy_wms`, a declared table's CDC topic).
    public static func forTopic(_ topic: String) -> RawSource? {
        if topic.hasSuffix(".wms.inventory_transactions") { return .warehouseMovements }
        if topic.hasSuffix(".files.legacy_wms") { return .legacyFeed }
        if topic.hasSuffix(".files.adjustments") { return .adjustmentsFeed }
        return RecordSpec.forTopic(topic).map { .table($0.table) }
    }

    private var spec: RecordSpec? {
        guard case .table(let table) = self else { return nil }
        return RecordSpec.all.first { $0.table == table }
    }

    /// Normalizes a raw record (bytes as read from Kafka) into publishable outputs, or says which
    /// header it waits for. A CDC tombstone gives none; anything unreadable throws ``Rejection``.
    public func outputs(_ value: [UInt8]?, processedAt: Date, keyOf: (ParentLookup) -> String?) throws -> NormalizedRecord {
        if let spec {
            switch try spec.normalize(try Self.parse(value), processedAt: processedAt, keyOf: keyOf) {
            case .records(let records): return .outputs(records.map(CanonicalOutput.init))
            case .unreadable(let records, let rejection): return .unreadable(records.map(CanonicalOutput.init), rejection)
            case .waitingFor(let parent): return .waitingFor(parent)
            }
        }
        let normalized = try inventoryEvents(value, processedAt: processedAt)
        let outputs = normalized.events.map(CanonicalOutput.init)
        return normalized.rejection.map { .unreadable(outputs, $0) } ?? .outputs(outputs)
    }

    /// Whether this source's records are keyed through a header (lines).
    public var keyedThroughParent: Bool {
        guard case .parent? = spec?.key else { return false }
        return true
    }

    /// Facts a header record establishes for its lines (none for other sources).
    public func parentFacts(_ value: [UInt8]?) throws -> [ParentFact] {
        guard let spec, spec.parentKind != nil else { return [] }
        return try spec.parentFacts(try Self.parse(value))
    }

    /// The movement sources' rule: canonical inventory events.
    public func inventoryEvents(_ value: [UInt8]?, processedAt: Date) throws -> NormalizedEvents {
        guard let value else {
            if self == .warehouseMovements { return NormalizedEvents() }
            throw Rejection("a feed record without a value")
        }
        let json = try Self.parse(value)!
        switch self {
        case .warehouseMovements: return try InventoryNormalizer.fromWarehouse(json, processedAt: processedAt)
        case .legacyFeed: return try InventoryNormalizer.fromLegacyFeed(json, processedAt: processedAt)
        case .adjustmentsFeed: return try InventoryNormalizer.fromAdjustmentsFeed(json, processedAt: processedAt)
        case .table: return NormalizedEvents()
        }
    }

    /// nil for a tombstone; a ``Rejection`` for bytes that are not JSON.
    private static func parse(_ value: [UInt8]?) throws -> JSONValue? {
        guard let value else { return nil }
        do { return try JSONValue.parse(value) } catch { throw Rejection("\(error)") }
    }
}

/// What normalizing one raw record gives.
public enum NormalizedRecord: Equatable, Sendable {
    case outputs([CanonicalOutput])
    /// A version that cannot be read: the records that stop its row's earlier version counting,
    /// published, and the reason the raw record goes to the dead-letter topic.
    case unreadable([CanonicalOutput], Rejection)
    case waitingFor(ParentReference)
}
