import FoodbankJSON
import Foundation

/// A version of a warehouse item (`wms.items`), read straight from its compacted CDC topic: the
/// item master is reference data, not a canonical model. reconcile takes weights from it, dq the
/// set of known skus.
public struct ItemVersion: Equatable, Sendable {
    public var sku: String
    public var description: String?
    public var category: String?
    public var unitWeightLbs: Decimal
    public var perishable: Bool?
    public var active: Bool?
    public var deleted: Bool
    /// The change's LSN: a newer version replaces an older one whatever order they are read in.
    public var position: Int64

    /// An item a complete snapshot of `wms.items` lacks: deleted, at the snapshot's removal position.
    public init(removedSku sku: String, position: Int64) {
        (self.sku, self.unitWeightLbs, self.deleted, self.position) = (sku, 0, true, position)
    }

    /// The item a Debezium change event of `wms.items` carries; nil for a tombstone.
    public init?(changeEvent envelope: JSONValue?) throws {
        guard let envelope else { return nil }
        guard let op = envelope["op"]?.stringValue else { throw Rejection("no op in the change event") }
        let deleted = op == "d"
        guard let row = envelope[deleted ? "before" : "after"], row.objectValue != nil else { throw Rejection("op \(op) without its row") }
        guard let sku = row["sku"]?.stringValue, !sku.isEmpty else { throw Rejection("item without sku") }
        // A delete carries only the key (wms.items has the default replica identity): it weighs nothing.
        let weightText = row["unit_weight_lbs"]?.stringValue ?? row["unit_weight_lbs"]?.intValue.map(String.init)
        guard let weight = deleted ? 0 : weightText.flatMap(InventoryNormalizer.plainDecimal) else { throw Rejection("unit_weight_lbs is not a decimal") }
        self.sku = sku
        self.description = deleted ? nil : row["description"]?.stringValue
        self.category = row["category"]?.stringValue
        self.unitWeightLbs = weight
        self.perishable = row["perishable"]?.boolValue
        self.active = row["active"]?.boolValue
        self.deleted = deleted
        self.position = envelope["source"]?["lsn"]?.intValue ?? 0
    }
}
