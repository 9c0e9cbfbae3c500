import FoodbankJSON
import Foundation

/// The on-hand of one (sku, location, lot) position as reconcile last committed it: the value of
/// the compacted topic `foodbank.ops.inventory_balances`, keyed `sku|location_id|lot_code`, so
/// the topic keeps the latest balance of every position. reconcile publishes it, dq reads it.
public struct InventoryBalance: Sendable, Equatable {
    public var sku: String
    public var locationID: String
    /// "" for no lot.
    public var lotCode: String
    public var onHandCases: Decimal
    public var onHandLbs: Decimal
    public var lastMovementAt: String?

    public init(sku: String, locationID: String, lotCode: String, onHandCases: Decimal, onHandLbs: Decimal, lastMovementAt: String?) {
        self.sku = sku
        self.locationID = locationID
        self.lotCode = lotCode
        self.onHandCases = onHandCases
        self.onHandLbs = onHandLbs
        self.lastMovementAt = lastMovementAt
    }

    /// The position as one text: the topic's key, and the entity key of a `negative_balance` finding.
    public var positionKey: String { "\(sku)|\(locationID)|\(lotCode)" }

    public func json() -> JSONValue {
        .object(["sku": .string(sku), "location_id": .string(locationID), "lot_code": .string(lotCode),
                 "on_hand_cases": .string("\(onHandCases)"), "on_hand_lbs": .string("\(onHandLbs)"),
                 "last_movement_at": lastMovementAt.map(JSONValue.string) ?? .null])
    }

    public init(json: JSONValue) throws {
        func text(_ field: String) throws -> String {
            guard let value = json[field]?.stringValue else { throw Rejection("\(field) missing or not text") }
            return value
        }
        func decimal(_ field: String) throws -> Decimal {
            guard let value = InventoryNormalizer.plainDecimal(try text(field)) else { throw Rejection("\(field) is not a decimal") }
            return value
        }
        self.init(sku: try text("sku"), locationID: try text("location_id"), lotCode: try text("lot_code"),
                  onHandCases: try decimal("on_hand_cases"), onHandLbs: try decimal("on_hand_lbs"),
                  lastMovementAt: json["last_movement_at"]?.stringValue)
    }
}
