import FoodbankCanonical
import FoodbankJSON
import Foundation

/// The facts one batch of dq's inputs states, each collapsed to its newest version in the batch by
/// source position (the batch is applied in one transaction, so only the final state of a record
/// matters).
public struct DQFacts: Sendable {
    /// Which of dq's inputs a record came from.
    public enum Input: Sendable {
        case inventoryEvents, donations, agencyOrders, fulfillment, items, balances
    }

    /// A record that names a sku: its identity in the source, and whether it is live after this fact.
    public struct SkuReference: Sendable, Equatable {
        public var recordID: String
        public var recordType: String
        public var sku: String
        public var live: Bool
        public var position: Int64
        /// The quantities the record states, by field (``DQRules/quantityFields``), as decimal text:
        /// what implausible_value judges. None for a retraction or an unreadable version.
        public var quantities: [String: String] = [:]
        /// The row whatever file holds it, where it differs from `recordID` (a feed row): of its
        /// live holders only the latest-delivered names its sku (decision 22).
        public var rowID: String? = nil
    }

    public var skuReferences: [String: SkuReference] = [:]
    /// Skus named by this batch's records (as asserted or retracted): missing_sku's candidates.
    public var namedSkus: Set<String> = []
    public var items: [String: ItemVersion] = [:]
    /// By record type (`intake`, `order`, `order_line`, `shipment`, `shipment_line`), then source id.
    public var rows: [String: [String: CanonicalRowVersion]] = [:]
    public var balances: [String: InventoryBalance] = [:]
    /// Tables whose snapshot a record of the batch completed (decision 32).
    public var completedSnapshots: Set<SnapshotCompletion> = []
    public var rejected: [(index: Int, reason: String)] = []

    public init() {}

    /// Record types dq keeps rows of; donation lines only name skus.
    static let keptRecordTypes: Set<String> = ["intake", "order", "order_line", "shipment", "shipment_line"]
    static let skuNamingTypes: Set<String> = ["donation_line", "order_line", "shipment_line"]

    public static func collect(_ records: [(input: Input, value: [UInt8]?)]) -> DQFacts {
        var facts = DQFacts()
        for (index, record) in records.enumerated() {
            do {
                try facts.add(record.input, record.value)
            } catch let rejection as Rejection {
                facts.rejected.append((index, rejection.reason))
            } catch {
                facts.rejected.append((index, "\(error)"))
            }
        }
        return facts
    }

    mutating func add(_ input: Input, _ value: [UInt8]?) throws {
        switch input {
        case .items:
            // A tombstone follows a delete, whose change event already said so.
            let event = try value.map(Self.parse)
            completedSnapshots.formUnion(SnapshotCompletion.of(changeEvent: event, system: "warehouse"))
            guard let item = try ItemVersion(changeEvent: event) else { return }
            if (items[item.sku]?.position ?? .min) <= item.position { items[item.sku] = item }
        case .balances:
            guard let value else { return }
            let balance = try InventoryBalance(json: try Self.parse(value))
            balances[balance.positionKey] = balance
        case .inventoryEvents:
            let json = try Self.parse(value)
            let row = try CanonicalRowVersion(json)
            completedSnapshots.formUnion(SnapshotCompletion.of(canonical: json))
            // A retraction or an unreadable version names nothing (its placeholder may have no sku).
            let sku = row.text("sku") ?? ""
            guard !sku.isEmpty || !row.live else { throw Rejection("sku missing") }
            name(sku, by: SkuReference(recordID: row.recordID, recordType: "inventory_event", sku: sku, live: row.live,
                                          position: row.position, quantities: Self.quantities(row),
                                          rowID: row.rowID == row.recordID ? nil : row.rowID))
        case .donations, .agencyOrders, .fulfillment:
            let json = try Self.parse(value)
            guard json["record_type"]?.stringValue != nil else { throw Rejection("record_type missing") }
            let row = try CanonicalRowVersion(json)
            completedSnapshots.formUnion(SnapshotCompletion.of(canonical: json))
            if Self.skuNamingTypes.contains(row.recordType) {
                guard let sku = row.text("sku"), !sku.isEmpty else { throw Rejection("sku missing") }
                name(sku, by: SkuReference(recordID: row.recordID, recordType: row.recordType, sku: sku, live: row.live, position: row.position,
                                           quantities: Self.quantities(row)))
            }
            // The newest version by position, whatever order the partitions were read in (a key
            // change puts a row's versions in two partitions).
            if Self.keptRecordTypes.contains(row.recordType), (rows[row.recordType]?[row.sourceID]?.position ?? .min) <= row.position {
                rows[row.recordType, default: [:]][row.sourceID] = row
            }
        }
    }

    /// The decimal quantities of a live row (normalize has already refused what is not a decimal).
    static func quantities(_ row: CanonicalRowVersion) -> [String: String] {
        guard row.live else { return [:] }
        var quantities: [String: String] = [:]
        for field in DQRules.quantityFields.keys {
            if let text = row.text(field), Decimal(string: text) != nil { quantities[field] = text }
        }
        return quantities
    }

    mutating func name(_ sku: String, by reference: SkuReference) {
        if !sku.isEmpty { namedSkus.insert(sku) }
        if (skuReferences[reference.recordID]?.position ?? .min) <= reference.position { skuReferences[reference.recordID] = reference }
    }

    static func parse(_ value: [UInt8]?) throws -> JSONValue {
        guard let value else { throw Rejection("a record without a value") }
        do { return try JSONValue.parse(value) } catch { throw Rejection("\(error)") }
    }
}
