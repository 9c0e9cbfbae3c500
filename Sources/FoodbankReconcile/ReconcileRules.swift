import FoodbankCanonical
import FoodbankJSON
import Foundation

/// One inventory event as reconcile stores it in the ledger (`ops.inventory_movements`).
public struct LedgerMovement: Equatable, Sendable {
    public var eventID: String
    public var sku: String
    public var locationID: String
    public var lotCode: String
    public var movementType: String
    public var retraction: Bool
    public var deltaCases: Decimal
    /// The movement's own weight, signed like `deltaCases`; nil: cases times the item's unit weight.
    public var ownLbs: Decimal?
    public var referenceType: String?
    public var referenceID: String?
    public var occurredAt: String
    public var businessDate: String
    public var sourceSystem: String
}

/// What one batch asks of the database, computed without it.
public struct ReconcilePlan: Equatable, Sendable {
    public var movements: [LedgerMovement] = []
    /// The newest version per sku in the batch.
    public var items: [String: ItemVersion] = [:]
    /// The newest source time per source system seen in the batch.
    public var freshness: [String: Date] = [:]
    public var rejected: [(index: Int, reason: String)] = []

    public static func == (a: ReconcilePlan, b: ReconcilePlan) -> Bool {
        a.movements == b.movements && a.items == b.items && a.freshness == b.freshness && a.rejected.map(\.index) == b.rejected.map(\.index)
    }
}

/// reconcile's rules: plain functions over values.
public enum ReconcileRules {
    /// Which of reconcile's inputs a record came from.
    public enum Input: Sendable {
        /// `foodbank.unique.inventory_events`: the movements.
        case inventoryEvents
        /// `foodbank.cdc.warehouse.wms.items`: weights for on_hand_lbs.
        case items
        /// The other unique topics: read for freshness only.
        case otherCanonical
    }

    public static func plan(_ records: [(input: Input, value: [UInt8]?)]) -> ReconcilePlan {
        var plan = ReconcilePlan()
        for (index, record) in records.enumerated() {
            do {
                switch record.input {
                case .inventoryEvents:
                    let json = try parse(record.value)
                    let movement = try movement(json)
                    plan.movements.append(movement)
                    mark(&plan, system: movement.sourceSystem, json)
                case .items:
                    guard let item = try ItemVersion(changeEvent: record.value.map(parse)) else { continue }
                    if (plan.items[item.sku]?.position ?? .min) <= item.position { plan.items[item.sku] = item }
                case .otherCanonical:
                    let json = try parse(record.value)
                    guard let system = json["source"]?["system"]?.stringValue else { throw Rejection("no source.system") }
                    mark(&plan, system: system, json)
                }
            } catch let rejection as Rejection {
                plan.rejected.append((index, rejection.reason))
            } catch {
                plan.rejected.append((index, "\(error)"))
            }
        }
        return plan
    }

    /// A canonical inventory event (schema inventory_events v1) as a ledger row.
    static func movement(_ json: JSONValue) throws -> LedgerMovement {
        func text(_ field: String) throws -> String {
            guard let value = json[field]?.stringValue, !value.isEmpty else { throw Rejection("\(field) missing or not text") }
            return value
        }
        guard json["schema_version"] == .int(InventoryEvent.schemaVersion) else { throw Rejection("unsupported schema_version") }
        guard let delta = InventoryNormalizer.plainDecimal(try text("delta_cases")) else { throw Rejection("delta_cases is not a decimal") }
        var ownLbs: Decimal?
        if let weightText = json["weight_lbs"]?.stringValue {
            guard let weight = InventoryNormalizer.plainDecimal(weightText) else { throw Rejection("weight_lbs is not a decimal") }
            ownLbs = delta < 0 ? -abs(weight) : abs(weight)
        }
        guard let retraction = json["retraction"]?.boolValue else { throw Rejection("retraction missing") }
        let occurredAt = try text("occurred_at")
        guard BusinessTime.instant(fromISO: occurredAt) != nil else { throw Rejection("occurred_at is not a timestamp") }
        return LedgerMovement(eventID: try text("event_id"), sku: try text("sku"), locationID: try text("location_id"),
                              lotCode: json["lot_code"]?.stringValue ?? "", movementType: try text("movement_type"), retraction: retraction,
                              deltaCases: delta, ownLbs: ownLbs, referenceType: json["reference_type"]?.stringValue,
                              referenceID: json["reference_id"]?.stringValue, occurredAt: occurredAt, businessDate: try text("business_date"),
                              sourceSystem: json["source"]?["system"]?.stringValue ?? "unknown")
    }

    /// Freshness: the source's commit time when it has one (CDC), else when normalize read it (files).
    private static func mark(_ plan: inout ReconcilePlan, system: String, _ json: JSONValue) {
        let text = json["source"]?["committed_at"]?.stringValue ?? json["processed_at"]?.stringValue
        guard let time = text.flatMap(BusinessTime.instant(fromISO:)) else { return }
        plan.freshness[system] = max(plan.freshness[system] ?? time, time)
    }

    private static func parse(_ value: [UInt8]?) throws -> JSONValue {
        guard let value else { throw Rejection("a record without a value") }
        do { return try JSONValue.parse(value) } catch { throw Rejection("\(error)") }
    }
}
