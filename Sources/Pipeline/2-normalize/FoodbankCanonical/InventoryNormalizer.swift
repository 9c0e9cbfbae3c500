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
    // MARK: warehouse CDC

    /// A Debezium envelope of `wms.inventory_transactions`: the row's new version (a delete: a
    /// retraction). A tombstone (nil) yields nothing. A new version that cannot be read still
    /// retracts the earlier one: the events it returns with the rejection.
    public static func fromWarehouse(_ envelope: JSONValue?, processedAt: Date) throws -> NormalizedEvents {
        guard let envelope else { return NormalizedEvents() }
        let change = try ChangeEvent(envelope)
        var events: [InventoryEvent] = []
        for version in try change.versions(identity: { $0["txn_id"].map(RecordSpec.plainText) ?? "" }) {
            do {
                events += try warehouseRow(version.row, change: change, retraction: version.retraction, processedAt: processedAt)
            } catch let rejection as Rejection {
                guard events.isEmpty else { return NormalizedEvents(events: events, rejection: rejection) }
                if let before = change.before, let old = try? warehouseRow(before, change: change, retraction: true, processedAt: processedAt) {
                    return NormalizedEvents(events: old, rejection: rejection)
                }
                // A snapshot's last row of the table carries its completion (decision 32), and a
                // snapshot row has no earlier version in its event: the row is held unreadable at
                // the snapshot's position, so the completion still reaches the sinks (decision 39).
                guard change.completesSnapshot != nil,
                      let held = unreadableWarehouseRow(version.row, change: change, processedAt: processedAt) else { throw rejection }
                return NormalizedEvents(events: [held], rejection: rejection)
            }
        }
        return NormalizedEvents(events: events)
    }

    /// An event that says only which row, at which position, for a version whose fields cannot be
    /// read (as a feed's unreadable row is held by its file); nil without a readable `txn_id`.
    private static func unreadableWarehouseRow(_ row: JSONValue, change: ChangeEvent, processedAt: Date) -> InventoryEvent? {
        guard let id = row["txn_id"]?.intValue else { return nil }
        let position = change.lsn ?? 0
        return InventoryEvent(
            eventID: "warehouse:wms.inventory_transactions:\(id):\(position):new", change: .unreadable, movementType: .receipt,
            sku: row["sku"]?.stringValue ?? "", locationID: row["location_id"]?.stringValue ?? "", lotCode: "", quantityCases: 0, deltaCases: 0,
            weightLbs: nil, referenceType: nil, referenceID: nil, occurredAt: processedAt, businessDate: BusinessTime.businessDate(of: processedAt),
            source: SourceCoordinates(system: "warehouse", object: "wms.inventory_transactions", sourceID: String(id),
                                      version: change.txID.map(String.init) ?? "", position: String(position), committedAt: change.committedAt,
                                      completesSnapshot: change.completesSnapshot),
            processedAt: processedAt)
    }

    private static func warehouseRow(_ row: JSONValue, change: ChangeEvent, retraction: Bool, processedAt: Date) throws -> [InventoryEvent] {
        guard let id = row["txn_id"]?.intValue else { throw Rejection("txn_id missing or not an integer") }
        let type = try text(row, "txn_type")
        let sku = try text(row, "sku")
        let location = try text(row, "location_id")
        let quantity = try decimal(row, "quantity_cases")
        let weight = try optionalDecimal(row, "weight_lbs")
        guard let occurredText = row["occurred_at"]?.stringValue, let occurred = BusinessTime.instant(fromISO: occurredText) else {
            throw Rejection("occurred_at missing or not a timestamp")
        }
        let position = change.lsn ?? 0
        let base = InventoryEvent(
            eventID: "", change: retraction ? .retract : .assert, movementType: .receipt, sku: sku, locationID: location,
            lotCode: row["lot_code"]?.stringValue ?? "", quantityCases: quantity, deltaCases: 0, weightLbs: weight,
            // Decision 6: an empty reference_id is no reference (else it would be a donation or
            // order with the id '' and a reconciliation row of its own).
            referenceType: row["reference_type"]?.stringValue, referenceID: row["reference_id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
            occurredAt: occurred, businessDate: BusinessTime.businessDate(of: occurred),
            source: SourceCoordinates(system: "warehouse", object: "wms.inventory_transactions", sourceID: String(id),
                                      version: change.txID.map(String.init) ?? "", position: String(position), committedAt: change.committedAt,
                                      completesSnapshot: change.completesSnapshot),
            processedAt: processedAt)
        let idPrefix = "warehouse:wms.inventory_transactions:\(id):\(position):\(retraction ? "del" : "new")"
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
            // Signed; zero is readable (a recount that found what the books said).
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

    /// A feed-5 record (`foodbank.files.legacy_wms`): `assert` or `retract` of one file row. A row
    /// that cannot be read is still held by its file, unreadable: the events returned with the rejection.
    public static func fromLegacyFeed(_ record: JSONValue, processedAt: Date) throws -> NormalizedEvents {
        let feed = try FeedRecordEnvelope(record, system: "legacy_wms", identity: ["site_code", "movement_id"])
        return try feed.normalized(processedAt: processedAt) { row, coordinates in
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
            return InventoryEvent(
                eventID: feed.eventID, change: feed.change, movementType: type, sku: try text(row, "sku"), locationID: try text(row, "site_code"),
                lotCode: row["lot"]?.stringValue ?? "", quantityCases: quantity, deltaCases: 0, weightLbs: try optionalDecimal(row, "lbs"),
                referenceType: reference == nil ? nil : (type == .receipt ? "donation" : type == .distribution ? "agency_order" : nil),
                referenceID: reference, occurredAt: occurred, businessDate: BusinessTime.businessDate(of: occurred),
                source: coordinates, processedAt: processedAt)
        }
    }

    /// A feed-6 record (`foodbank.files.adjustments`). SPOILAGE and EXPIRED are spoilage of `-delta`.
    public static func fromAdjustmentsFeed(_ record: JSONValue, processedAt: Date) throws -> NormalizedEvents {
        let feed = try FeedRecordEnvelope(record, system: "adjustments", identity: ["adjustment_id"])
        return try feed.normalized(processedAt: processedAt) { row, coordinates in
            // Signed; zero is readable (a recount that found what the books said).
            let delta = try decimal(row, "delta_cases")
            let reason = try text(row, "reason")
            guard ["SPOILAGE", "DAMAGE", "RECOUNT", "EXPIRED", "THEFT", "OTHER"].contains(reason) else { throw Rejection("unknown reason \(reason)") }
            let dateText = try text(row, "effective_date")
            guard dateText.utf8.count == 10,
                  dateText.utf8.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 ? $0.element == 0x2D : (48...57).contains($0.element) }),
                  let noon = BusinessTime.instant(onDate: dateText, hour: 12)
            else { throw Rejection("effective_date \(dateText) is not YYYY-MM-DD") }
            let spoilage = reason == "SPOILAGE" || reason == "EXPIRED"
            return InventoryEvent(
                eventID: feed.eventID, change: feed.change, movementType: spoilage ? .spoilage : .adjustment, sku: try text(row, "sku"),
                locationID: try text(row, "location_id"), lotCode: row["lot_code"]?.stringValue ?? "",
                quantityCases: spoilage ? -delta : delta, deltaCases: 0, weightLbs: nil, referenceType: "manual",
                referenceID: try text(row, "adjustment_id"), occurredAt: noon, businessDate: dateText, source: coordinates, processedAt: processedAt)
        }
    }

    // MARK: values

    /// Signs the effect by movement type.
    static func finish(_ event: InventoryEvent) -> InventoryEvent {
        var event = event
        let effect: Decimal
        switch event.movementType {
        case .receipt, .transferIn, .adjustment: effect = event.quantityCases
        case .transferOut, .spoilage, .distribution: effect = -event.quantityCases
        }
        event.deltaCases = event.change == .unreadable ? 0 : effect
        return event
    }

    static func text(_ row: JSONValue, _ field: String) throws -> String {
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
        // Any value the source of record can hold counts (a $1M truckload is not bad input).
        guard let value = plainDecimal(text) else { throw Rejection("\(field) \(text.prefix(40)) is not a decimal") }
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

    static func positive(_ value: Decimal, _ field: String) throws {
        guard value > 0 else { throw Rejection("\(field) must be positive, is \(value)") }
    }
}
