import FoodbankCanonical
import FoodbankJSON
import Foundation

/// What one batch asks of the database, computed without it.
public struct ReconcilePlan: Equatable, Sendable {
    /// The inventory events as versions of their source rows, in batch order.
    public var versions: [LedgerVersion] = []
    /// The newest version per sku in the batch.
    public var items: [String: ItemVersion] = [:]
    /// The newest source time per source system seen in the batch.
    public var freshness: [String: Date] = [:]
    /// Tables whose snapshot a record of the batch completed: their rows missing from it go.
    public var completedSnapshots: Set<SnapshotCompletion> = []
    public var rejected: [(index: Int, reason: String)] = []

    public init() {}

    public static func == (a: ReconcilePlan, b: ReconcilePlan) -> Bool {
        a.versions == b.versions && a.items == b.items && a.freshness == b.freshness && a.completedSnapshots == b.completedSnapshots
            && a.rejected.map(\.index) == b.rejected.map(\.index)
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
                    let version = try version(json)
                    plan.versions.append(version)
                    plan.completedSnapshots.formUnion(SnapshotCompletion.of(canonical: json))
                    mark(&plan, system: json["source"]?["system"]?.stringValue ?? "unknown", json)
                case .items:
                    let event = try record.value.map(parse)
                    plan.completedSnapshots.formUnion(SnapshotCompletion.of(changeEvent: event, system: "warehouse"))
                    guard let item = try ItemVersion(changeEvent: event) else { continue }
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

    /// A canonical inventory event (schema inventory_events v1) as a version of its source row.
    /// A retraction or an unreadable version needs only its row, holder and position.
    static func version(_ json: JSONValue) throws -> LedgerVersion {
        func text(_ field: String) throws -> String {
            guard let value = json[field]?.stringValue, !value.isEmpty else { throw Rejection("\(field) missing or not text") }
            return value
        }
        guard json["schema_version"] == .int(InventoryEvent.schemaVersion) else { throw Rejection("unsupported schema_version") }
        guard let source = json["source"], let system = source["system"]?.stringValue, let object = source["object"]?.stringValue,
              let sourceID = source["source_id"]?.stringValue, !sourceID.isEmpty else { throw Rejection("source coordinates missing") }
        guard let position = source["position"]?.stringValue.flatMap({ Int64($0) }) else { throw Rejection("source.position is not a number") }
        guard let change = json["change"]?.stringValue.flatMap(VersionChange.init(rawValue:)) else { throw Rejection("change missing or unknown") }
        let rowID = "\(system):\(object):\(sourceID)"
        let holder = source["holder"]?.stringValue ?? ""
        guard change == .assert else { return LedgerVersion(rowID: rowID, holder: holder, position: position, change: change, leg: nil) }
        guard let delta = InventoryNormalizer.plainDecimal(try text("delta_cases")) else { throw Rejection("delta_cases is not a decimal") }
        var ownLbs: Decimal?
        if let weightText = json["weight_lbs"]?.stringValue {
            guard let weight = InventoryNormalizer.plainDecimal(weightText) else { throw Rejection("weight_lbs is not a decimal") }
            // A magnitude signed like the cases; a movement of no cases moves no pounds (README, decisions).
            ownLbs = delta < 0 ? -abs(weight) : delta > 0 ? abs(weight) : 0
        }
        let occurredAt = try text("occurred_at")
        guard BusinessTime.instant(fromISO: occurredAt) != nil else { throw Rejection("occurred_at is not a timestamp") }
        let type = try text("movement_type")
        guard let movementType = InventoryEvent.MovementType(rawValue: type) else { throw Rejection("unknown movement_type") }
        let leg = LedgerLeg(leg: movementType == .transferOut ? "out" : movementType == .transferIn ? "in" : "", eventID: try text("event_id"),
                            sku: try text("sku"), locationID: try text("location_id"), lotCode: json["lot_code"]?.stringValue ?? "",
                            movementType: type, deltaCases: delta, ownLbs: ownLbs, referenceType: json["reference_type"]?.stringValue,
                            referenceID: json["reference_id"]?.stringValue, occurredAt: occurredAt, businessDate: try text("business_date"),
                            sourceSystem: system)
        return LedgerVersion(rowID: rowID, holder: holder, position: position, change: change, leg: leg)
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
