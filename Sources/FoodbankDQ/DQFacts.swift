import FoodbankCanonical
import FoodbankJSON
import Foundation

/// The facts one batch of dq's inputs states, each collapsed to its last version in the batch (the
/// batch is applied in one transaction, so only the final state of a record matters).
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
    }

    /// The latest version of one source row of a header or line table, as dq keeps it.
    public struct Row: Sendable, Equatable {
        public var live: Bool
        public var position: Int64
        public var fields: [String: JSONValue]

        public func text(_ name: String) -> String? { fields[name]?.stringValue ?? fields[name]?.intValue.map(String.init) }
        public func int(_ name: String) -> Int64? { fields[name]?.intValue }
    }

    public var skuReferences: [String: SkuReference] = [:]
    /// Skus named by this batch's records (as asserted or retracted): missing_sku's candidates.
    public var namedSkus: Set<String> = []
    public var items: [String: ItemVersion] = [:]
    /// By record type (`intake`, `order`, `order_line`, `shipment`, `shipment_line`), then source id.
    public var rows: [String: [String: Row]] = [:]
    public var balances: [String: InventoryBalance] = [:]
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
            guard let item = try ItemVersion(changeEvent: value.map(Self.parse)) else { return }
            if (items[item.sku]?.position ?? .min) <= item.position { items[item.sku] = item }
        case .balances:
            guard let value else { return }
            let balance = try InventoryBalance(json: try Self.parse(value))
            balances[balance.positionKey] = balance
        case .inventoryEvents:
            let json = try Self.parse(value)
            let (recordID, live, _) = try Self.identity(json)
            guard let sku = json["sku"]?.stringValue, !sku.isEmpty else { throw Rejection("sku missing") }
            name(sku, by: SkuReference(recordID: recordID, recordType: "inventory_event", sku: sku, live: live))
        case .donations, .agencyOrders, .fulfillment:
            let json = try Self.parse(value)
            let (recordID, live, position) = try Self.identity(json)
            guard let recordType = json["record_type"]?.stringValue else { throw Rejection("record_type missing") }
            if Self.skuNamingTypes.contains(recordType) {
                guard let sku = json["sku"]?.stringValue, !sku.isEmpty else { throw Rejection("sku missing") }
                name(sku, by: SkuReference(recordID: recordID, recordType: recordType, sku: sku, live: live))
            }
            if Self.keptRecordTypes.contains(recordType), let sourceID = json["source"]?["source_id"]?.stringValue {
                var fields = json.objectValue ?? [:]
                for envelope in CanonicalRecord.envelopeFields { fields.removeValue(forKey: envelope) }
                rows[recordType, default: [:]][sourceID] = Row(live: live, position: position, fields: fields)
            }
        }
    }

    private mutating func name(_ sku: String, by reference: SkuReference) {
        namedSkus.insert(sku)
        skuReferences[reference.recordID] = reference
    }

    /// A canonical record's identity in its source (every version of a row shares it), whether it
    /// asserts or retracts, and its source position (LSN; 0 for files, whose order is arrival order).
    static func identity(_ json: JSONValue) throws -> (recordID: String, live: Bool, position: Int64) {
        guard let source = json["source"], let system = source["system"]?.stringValue, let object = source["object"]?.stringValue,
              let sourceID = source["source_id"]?.stringValue else { throw Rejection("source coordinates missing") }
        guard let retraction = json["retraction"]?.boolValue else { throw Rejection("retraction missing") }
        let position = source["position"]?.stringValue.flatMap { Int64($0) } ?? 0
        return ("\(system):\(object):\(sourceID)", !retraction, position)
    }

    static func parse(_ value: [UInt8]?) throws -> JSONValue {
        guard let value else { throw Rejection("a record without a value") }
        do { return try JSONValue.parse(value) } catch { throw Rejection("\(error)") }
    }
}
