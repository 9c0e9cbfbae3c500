import FoodbankJSON
import Foundation

/// Why a source record cannot become a canonical event; it goes to the dead-letter topic with this.
public struct Rejection: Error, Equatable, CustomStringConvertible, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The rules that turn the three movement sources into ``InventoryEvent``s: warehouse CDC
/// (`wms.inventory_transactions`), feed 5 (legacy satellites) and feed 6 (manual adjustments).
/// Plain functions over values: no I/O.
public enum InventoryNormalizer {
    /// Quantities beyond this are not a food bank's: refused as absurd rather than summed.
    static let absurdCases: Decimal = 1_000_000

    // MARK: warehouse CDC

    /// A Debezium envelope of `wms.inventory_transactions`. A tombstone (nil) yields nothing.
    public static func fromWarehouse(_ envelope: JSONValue?, processedAt: Date) throws -> [InventoryEvent] {
        guard let envelope else { return [] }
        let change = try ChangeEvent(envelope)
        let lsn = change.lsn.map(String.init) ?? ""
        return try change.rows().flatMap { row, retraction in
            try warehouseRow(row, txID: change.txID, lsn: lsn, committed: change.committedAt, role: retraction ? "old" : "new",
                             retraction: retraction, processedAt: processedAt)
        }
    }

    private static func warehouseRow(_ row: JSONValue, txID: Int64, lsn: String, committed: Date?, role: String, retraction: Bool,
                                     processedAt: Date) throws -> [InventoryEvent] {
        guard let id = row["txn_id"]?.intValue else { throw Rejection("txn_id missing or not an integer") }
        let type = try text(row, "txn_type")
        let sku = try text(row, "sku")
        let location = try text(row, "location_id")
        let quantity = try decimal(row, "quantity_cases")
        let weight = try optionalDecimal(row, "weight_lbs")
        guard let occurredText = row["occurred_at"]?.stringValue, let occurred = BusinessTime.instant(fromISO: occurredText) else {
            throw Rejection("occurred_at missing or not a timestamp")
        }
        let base = InventoryEvent(
            eventID: "", isRetraction: retraction, movementType: .receipt, sku: sku, locationID: location,
            lotCode: row["lot_code"]?.stringValue ?? "", quantityCases: quantity, deltaCases: 0, weightLbs: weight,
            referenceType: row["reference_type"]?.stringValue, referenceID: row["reference_id"]?.stringValue,
            occurredAt: occurred, businessDate: BusinessTime.businessDate(of: occurred),
            source: SourceCoordinates(system: "warehouse", object: "wms.inventory_transactions", sourceID: String(id),
                                      version: String(txID), position: lsn, committedAt: committed),
            processedAt: processedAt)
        let idPrefix = "warehouse:wms.inventory_transactions:\(id):\(txID):\(role)"
        switch type {
        case "transfer":
            guard let destination = row["to_location_id"]?.stringValue, !destination.isEmpty else { throw Rejection("transfer \(id) has no to_location_id") }
            try positive(quantity, "quantity_cases")
            var out = base, into = base
            out.movementType = .transferOut
            into.movementType = .transferIn
            into.locationID = destination
            out.eventID = idPrefix + ":out"
            into.eventID = idPrefix + ":in"
            return [finish(out), finish(into)]
        case "adjustment":
            guard quantity != 0 else { throw Rejection("adjustment \(id) of zero cases") }
            var event = base
            event.movementType = .adjustment
            event.eventID = idPrefix
            return [finish(event)]
        default:
            guard let movement = [("receipt", InventoryEvent.MovementType.receipt), ("spoilage", .spoilage), ("distribution", .distribution)]
                .first(where: { $0.0 == type })?.1 else { throw Rejection("unknown txn_type \(type)") }
            try positive(quantity, "quantity_cases")
            var event = base
            event.movementType = movement
            event.eventID = idPrefix
            return [finish(event)]
        }
    }

    // MARK: feeds

    /// A feed-5 record (`foodbank.files.legacy_wms`): `assert` or `retract` of one file row.
    public static func fromLegacyFeed(_ record: JSONValue, processedAt: Date) throws -> [InventoryEvent] {
        let (row, coordinates, retraction) = try feedRecord(record, system: "legacy_wms")
        let typeText = try text(row, "movement_type")
        let types: [String: InventoryEvent.MovementType] = ["RECEIPT": .receipt, "TRANSFER_OUT": .transferOut, "TRANSFER_IN": .transferIn,
                                                            "DISTRIBUTION": .distribution, "SPOILAGE": .spoilage]
        guard let type = types[typeText] else { throw Rejection("unknown movement_type \(typeText)") }
        let quantity = try decimal(row, "cases")
        try positive(quantity, "cases")
        let occurredText = try text(row, "occurred_at")
        guard let occurred = BusinessTime.instant(fromLegacyLocal: occurredText) else {
            throw Rejection("occurred_at \(occurredText) is not MM/DD/YYYY HH:MM")
        }
        let reference = row["reference"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let event = InventoryEvent(
            eventID: "legacy_wms:\(coordinates.object):\(coordinates.version):\(retraction ? "retract" : "assert")",
            isRetraction: retraction, movementType: type, sku: try text(row, "sku"), locationID: try text(row, "site_code"),
            lotCode: row["lot"]?.stringValue ?? "", quantityCases: quantity, deltaCases: 0, weightLbs: try optionalDecimal(row, "lbs"),
            referenceType: reference == nil ? nil : (type == .receipt ? "donation" : type == .distribution ? "agency_order" : nil),
            referenceID: reference, occurredAt: occurred, businessDate: BusinessTime.businessDate(of: occurred),
            source: coordinates, processedAt: processedAt)
        return [finish(event)]
    }

    /// A feed-6 record (`foodbank.files.adjustments`). SPOILAGE and EXPIRED are spoilage of `-delta`.
    public static func fromAdjustmentsFeed(_ record: JSONValue, processedAt: Date) throws -> [InventoryEvent] {
        let (row, coordinates, retraction) = try feedRecord(record, system: "adjustments")
        let delta = try decimal(row, "delta_cases")
        guard delta != 0 else { throw Rejection("delta_cases is zero") }
        let reason = try text(row, "reason")
        guard ["SPOILAGE", "DAMAGE", "RECOUNT", "EXPIRED", "THEFT", "OTHER"].contains(reason) else { throw Rejection("unknown reason \(reason)") }
        let dateText = try text(row, "effective_date")
        guard dateText.utf8.count == 10, dateText.utf8.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 ? $0.element == 0x2D : (48...57).contains($0.element) }),
              let noon = BusinessTime.instant(onDate: dateText, hour: 12)
        else { throw Rejection("effective_date \(dateText) is not YYYY-MM-DD") }
        let spoilage = reason == "SPOILAGE" || reason == "EXPIRED"
        let event = InventoryEvent(
            eventID: "adjustments:\(coordinates.object):\(coordinates.version):\(retraction ? "retract" : "assert")",
            isRetraction: retraction, movementType: spoilage ? .spoilage : .adjustment, sku: try text(row, "sku"),
            locationID: try text(row, "location_id"), lotCode: row["lot_code"]?.stringValue ?? "",
            quantityCases: spoilage ? -delta : delta, deltaCases: 0, weightLbs: nil, referenceType: "manual",
            referenceID: try text(row, "adjustment_id"), occurredAt: noon, businessDate: dateText, source: coordinates, processedAt: processedAt)
        return [finish(event)]
    }

    private static func feedRecord(_ record: JSONValue, system: String) throws -> (JSONValue, SourceCoordinates, Bool) {
        guard let row = record["row"], row.objectValue != nil else { throw Rejection("feed record without its row") }
        guard let file = record["file"]?.stringValue, let version = record["file_version"]?.intValue,
              let number = record["record"]?.intValue, let sha = record["file_sha256"]?.stringValue else {
            throw Rejection("feed record without file, file_version, record or file_sha256")
        }
        let change = record["change"]?.stringValue
        guard change == "assert" || change == "retract" else { throw Rejection("unknown change \(change ?? "null")") }
        let keyColumn = system == "legacy_wms" ? "movement_id" : "adjustment_id"
        return (row, SourceCoordinates(system: system, object: file, sourceID: row[keyColumn]?.stringValue ?? "",
                                       version: "v\(version):\(number)", position: sha, committedAt: nil), change == "retract")
    }

    // MARK: values

    /// Signs the effect by movement type, and negates it for a retraction.
    private static func finish(_ event: InventoryEvent) -> InventoryEvent {
        var event = event
        let effect: Decimal
        switch event.movementType {
        case .receipt, .transferIn, .adjustment: effect = event.quantityCases
        case .transferOut, .spoilage, .distribution: effect = -event.quantityCases
        }
        event.deltaCases = event.isRetraction ? -effect : effect
        return event
    }

    private static func text(_ row: JSONValue, _ field: String) throws -> String {
        guard let value = row[field] else { throw Rejection("\(field) is missing") }
        guard let text = value.stringValue else { throw Rejection("\(field) is not text") }
        guard !text.isEmpty else { throw Rejection("\(field) is empty") }
        guard text.count <= 200 else { throw Rejection("\(field) is \(text.count) characters long") }
        return text
    }

    static func decimal(_ row: JSONValue, _ field: String) throws -> Decimal {
        guard let value = try optionalDecimal(row, field) else { throw Rejection("\(field) is missing") }
        return value
    }

    private static func optionalDecimal(_ row: JSONValue, _ field: String) throws -> Decimal? {
        let text: String
        switch row[field] {
        case nil, .null?: return nil
        case .string(let s)?: if s.isEmpty { return nil }; text = s
        case .int(let i)?: text = String(i)
        default: throw Rejection("\(field) is not a decimal")
        }
        guard let value = plainDecimal(text) else { throw Rejection("\(field) \(text.prefix(40)) is not a decimal") }
        guard abs(value) < absurdCases else { throw Rejection("\(field) \(text) is absurd") }
        return value
    }

    /// `-?digits{1,12}(.digits{1,6})?` as a Decimal, by a byte scan (a Swift regex here cost more than
    /// the rest of normalization together); nil for anything else (exponents, commas, spaces).
    public static func plainDecimal(_ text: String) -> Decimal? {
        var significand: UInt64 = 0
        var integerDigits = 0, fractionDigits = 0, negative = false, inFraction = false
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case 0x2D where index == 0: negative = true
            case 0x2E where !inFraction && integerDigits > 0: inFraction = true
            case 48...57:
                if inFraction { fractionDigits += 1 } else { integerDigits += 1 }
                guard integerDigits <= 12, fractionDigits <= 6 else { return nil }
                significand = significand * 10 + UInt64(byte - 48)
            default: return nil
            }
        }
        guard integerDigits > 0, !inFraction || fractionDigits > 0 else { return nil }
        return Decimal(sign: negative ? .minus : .plus, exponent: -fractionDigits, significand: Decimal(significand))
    }

    private static func positive(_ value: Decimal, _ field: String) throws {
        guard value > 0 else { throw Rejection("\(field) must be positive, is \(value)") }
    }
}
