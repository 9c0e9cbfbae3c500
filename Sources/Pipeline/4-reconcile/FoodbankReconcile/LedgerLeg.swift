import FoodbankJSON
import Foundation

/// One leg of a source row's version as the ledger counts it (`ops.inventory_movements`): its
/// effect on one (sku, location, lot) position. A transfer's version has two legs, `out` and `in`;
/// every other movement one, "".
public struct LedgerLeg: Equatable, Sendable {
    public var leg: String
    public var eventID: String
    public var sku: String
    public var locationID: String
    public var lotCode: String
    public var movementType: String
    public var deltaCases: Decimal
    /// The movement's own weight, signed like `deltaCases`; nil: cases times the item's unit weight.
    public var ownLbs: Decimal?
    public var referenceType: String?
    public var referenceID: String?
    public var occurredAt: String
    public var businessDate: String
    public var sourceSystem: String

    public var positionKey: [String] { [sku, locationID, lotCode] }

    /// As stored in `ops.ledger_versions.legs`.
    public func json() -> JSONValue {
        .object([
            "leg": .string(leg), "event_id": .string(eventID), "sku": .string(sku), "location_id": .string(locationID),
            "lot_code": .string(lotCode), "movement_type": .string(movementType), "delta_cases": .string("\(deltaCases)"),
            "own_lbs": ownLbs.map { .string("\($0)") } ?? .null, "reference_type": referenceType.map(JSONValue.string) ?? .null,
            "reference_id": referenceID.map(JSONValue.string) ?? .null, "occurred_at": .string(occurredAt),
            "business_date": .string(businessDate), "source_system": .string(sourceSystem),
        ])
    }

    public init(leg: String, eventID: String, sku: String, locationID: String, lotCode: String, movementType: String, deltaCases: Decimal,
                ownLbs: Decimal?, referenceType: String?, referenceID: String?, occurredAt: String, businessDate: String, sourceSystem: String) {
        (self.leg, self.eventID, self.sku, self.locationID, self.lotCode, self.movementType) = (leg, eventID, sku, locationID, lotCode, movementType)
        (self.deltaCases, self.ownLbs, self.referenceType, self.referenceID) = (deltaCases, ownLbs, referenceType, referenceID)
        (self.occurredAt, self.businessDate, self.sourceSystem) = (occurredAt, businessDate, sourceSystem)
    }

    /// From `json()`; nil for anything else (the column is only ever written by `json()`).
    public init?(stored json: JSONValue) {
        func text(_ name: String) -> String? { json[name]?.stringValue }
        guard let leg = text("leg"), let eventID = text("event_id"), let sku = text("sku"), let location = text("location_id"),
              let lot = text("lot_code"), let type = text("movement_type"), let delta = text("delta_cases").flatMap({ Decimal(string: $0) }),
              let occurred = text("occurred_at"), let date = text("business_date"), let system = text("source_system") else { return nil }
        self.init(leg: leg, eventID: eventID, sku: sku, locationID: location, lotCode: lot, movementType: type, deltaCases: delta,
                  ownLbs: text("own_lbs").flatMap { Decimal(string: $0) }, referenceType: text("reference_type"), referenceID: text("reference_id"),
                  occurredAt: occurred, businessDate: date, sourceSystem: system)
    }
}
