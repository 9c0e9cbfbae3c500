import FoodbankJSON
import Foundation

/// The canonical models other than inventory: `donations`, `agency_orders` and
/// `fulfillment_line_items`. Each carries a header kind and a line kind of record (an intake and its
/// lines, an order and its lines, a shipment and its lines), all keyed by the model's key so a
/// header and its lines share a partition.
public enum CanonicalModel: String, Sendable, CaseIterable {
    case donations, agencyOrders = "agency_orders", fulfillmentLineItems = "fulfillment_line_items"

    public static let schemaVersion: Int64 = 1

    /// The field every record of the model is keyed by.
    public var keyField: String {
        switch self {
        case .donations: "donation_id"
        case .agencyOrders, .fulfillmentLineItems: "order_id"
        }
    }
}

/// One canonical record of a ``CanonicalModel``: the envelope every record has (identity,
/// retraction flag, source coordinates, business and processing time) and the record kind's
/// fields, converted from the source's representation as its ``RecordSpec`` declares.
///
/// Like inventory events, a record is a state, not a delta: an updated source row becomes its new
/// version, a deleted row a retraction, and a consumer keeps per record identity the version with
/// the highest source position (an equal one changes nothing).
public struct CanonicalRecord: Sendable, Equatable {
    public var model: CanonicalModel
    public var recordType: String
    /// Deterministic: `<system>:<schema.table>:<primary key>:<change LSN>:<new|del>`.
    public var eventID: String
    public var isRetraction: Bool
    /// The model's key (donation or order id): the Kafka key.
    public var key: String
    /// The record's fields by canonical name, already in canonical representation.
    public var fields: [String: JSONValue]
    /// The instant the record is dated by (received, created, shipped), if the kind has one and it is set.
    public var businessTime: Date?
    public var source: SourceCoordinates
    public var processedAt: Date

    public func json() -> JSONValue {
        var object = fields
        object["schema_version"] = .int(CanonicalModel.schemaVersion)
        object["event_id"] = .string(eventID)
        object["record_type"] = .string(recordType)
        object["retraction"] = .bool(isRetraction)
        object["business_time"] = businessTime.map { .string(BusinessTime.iso8601($0)) } ?? .null
        object["business_date"] = businessTime.map { .string(BusinessTime.businessDate(of: $0)) } ?? .null
        object["source"] = source.json()
        object["processed_at"] = .string(BusinessTime.iso8601(processedAt))
        return .object(object)
    }

    /// The envelope fields every record has, in the order the schemas list them.
    public static let envelopeFields = ["schema_version", "event_id", "record_type", "retraction", "business_time", "business_date",
                                        "source", "processed_at"]
}
