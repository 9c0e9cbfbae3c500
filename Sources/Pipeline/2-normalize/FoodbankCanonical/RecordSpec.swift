import FoodbankJSON
import Foundation

/// How one source table becomes canonical records: its fields with their types, its primary key,
/// how the record finds its model key, and what dates it. Every table of the donations, agency and
/// fulfillment systems is declared in ``RecordSpec/all``; normalization is one function over these.
public struct RecordSpec: Sendable {
    public enum FieldType: Sendable, Equatable {
        case text, integer, decimal, timestamp, date
        case oneOf([String])
    }

    public struct Field: Sendable {
        public let name: String
        public let type: FieldType
        public let required: Bool
        init(_ name: String, _ type: FieldType, required: Bool = true) {
            (self.name, self.type, self.required) = (name, type, required)
        }
    }

    /// Where a record's model key comes from.
    public enum KeySource: Sendable {
        /// A field of the row itself.
        case field(String)
        /// The key of a parent row another table declares (a line's header), found through the
        /// row's `via` field. Source foreign keys guarantee the parent was committed first.
        case parent(kind: String, via: String)
    }

    public let model: CanonicalModel
    public let recordType: String
    public let system: String
    /// `schema.table` in its source database.
    public let table: String
    public let primaryKey: [String]
    public let fields: [Field]
    public let key: KeySource
    /// The timestamp field that dates the record, if any.
    public let businessTimeField: String?
    /// Header tables record `(kind, id) -> key` facts so their lines can find the key.
    public let parentKind: String?

    /// The topic suffix Debezium gives the table's change events: `<system>.<schema>.<table>`.
    public var cdcTopicSuffix: String { "\(system).\(table)" }

    public static let all: [RecordSpec] = [
        RecordSpec(model: .donations, recordType: "intake", system: "donations", table: "intake.donations", primaryKey: ["intake_id"],
                   fields: [Field("intake_id", .integer), Field("donation_id", .text), Field("donor_id", .text), Field("location_id", .text),
                            Field("received_at", .timestamp), Field("status", .oneOf(["received", "voided"]))],
                   key: .field("donation_id"), businessTimeField: "received_at", parentKind: "intake"),
        RecordSpec(model: .donations, recordType: "donation_line", system: "donations", table: "intake.donation_lines",
                   primaryKey: ["intake_id", "line_no"],
                   fields: [Field("intake_id", .integer), Field("line_no", .integer), Field("sku", .text), Field("quantity_cases", .decimal),
                            Field("weight_lbs", .decimal), Field("lot_code", .text, required: false),
                            Field("fair_market_value_usd", .decimal, required: false)],
                   key: .parent(kind: "intake", via: "intake_id"), businessTimeField: nil, parentKind: nil),
        RecordSpec(model: .agencyOrders, recordType: "order", system: "agency", table: "agency.orders", primaryKey: ["order_id"],
                   fields: [Field("order_id", .text), Field("agency_id", .text), Field("requested_for", .date),
                            Field("status", .oneOf(["submitted", "approved", "cancelled", "fulfilled"])), Field("created_at", .timestamp)],
                   key: .field("order_id"), businessTimeField: "created_at", parentKind: nil),
        RecordSpec(model: .agencyOrders, recordType: "order_line", system: "agency", table: "agency.order_lines", primaryKey: ["order_id", "line_no"],
                   fields: [Field("order_id", .text), Field("line_no", .integer), Field("sku", .text), Field("quantity_cases_requested", .decimal)],
                   key: .field("order_id"), businessTimeField: nil, parentKind: nil),
        RecordSpec(model: .fulfillmentLineItems, recordType: "shipment", system: "fulfillment", table: "pick.shipments", primaryKey: ["shipment_id"],
                   fields: [Field("shipment_id", .text), Field("order_id", .text), Field("location_id", .text),
                            Field("shipped_at", .timestamp, required: false),
                            Field("status", .oneOf(["picked", "shipped", "delivered", "void"]))],
                   key: .field("order_id"), businessTimeField: "shipped_at", parentKind: "shipment"),
        RecordSpec(model: .fulfillmentLineItems, recordType: "shipment_line", system: "fulfillment", table: "pick.shipment_lines",
                   primaryKey: ["shipment_id", "line_no"],
                   fields: [Field("shipment_id", .text), Field("line_no", .integer), Field("order_line_no", .integer), Field("sku", .text),
                            Field("lot_code", .text, required: false), Field("quantity_cases", .decimal), Field("weight_lbs", .decimal, required: false)],
                   key: .parent(kind: "shipment", via: "shipment_id"), businessTimeField: nil, parentKind: nil),
    ]

    /// The spec whose CDC topic ends with `<system>.<schema>.<table>`.
    public static func forTopic(_ topic: String) -> RecordSpec? {
        all.first { topic.hasSuffix("." + $0.cdcTopicSuffix) }
    }
}

/// A header row's identity, as its lines refer to it.
public struct ParentReference: Hashable, Sendable, CustomStringConvertible {
    public let kind: String
    public let id: String
    public init(kind: String, id: String) { (self.kind, self.id) = (kind, id) }
    public var description: String { "\(kind) \(id)" }
}

/// A line's question: its header's key as of the line's own source position. Answering as of the
/// line (the newest header version at or before it; source foreign keys put the header first) makes
/// the key the same on every replay, whatever order the topics are read in and whatever the header
/// became later: a key that depended on processing order would send a replayed line to another
/// partition, past dedupe.
public struct ParentLookup: Hashable, Sendable {
    public let parent: ParentReference
    public let asOf: Int64
    public init(parent: ParentReference, asOf: Int64) { (self.parent, self.asOf) = (parent, asOf) }
}

/// What a header row says its lines' key is, from its source position (LSN) on.
public struct ParentFact: Equatable, Sendable {
    public let parent: ParentReference
    public let key: String
    public let position: Int64

    public init(parent: ParentReference, key: String, position: Int64) {
        (self.parent, self.key, self.position) = (parent, key, position)
    }
}

/// The result of normalizing one change event.
public enum SpecOutcome: Equatable, Sendable {
    case records([CanonicalRecord])
    /// The new version cannot be read: the records retracting the row's earlier version, and why.
    case unreadable([CanonicalRecord], Rejection)
    /// A line whose header's key is not known yet: hold it until the header has been read.
    case waitingFor(ParentReference)
}

extension RecordSpec {
    /// Turns one Debezium change event of this spec's table into canonical records: the row's new
    /// version (a delete: a retraction of it). `keyOf` answers for parents (nil: not known yet). A
    /// tombstone (nil) yields nothing. A new version that cannot be read still retracts the row
    /// (``SpecOutcome/unreadable(_:_:)``): a number is never kept because its correction was unreadable.
    public func normalize(_ envelope: JSONValue?, processedAt: Date, keyOf: (ParentLookup) -> String?) throws -> SpecOutcome {
        guard let envelope else { return .records([]) }
        let change = try ChangeEvent(envelope)
        var records: [CanonicalRecord] = []
        for version in try change.versions(identity: rawSourceID) {
            let fields: [String: JSONValue]
            do {
                fields = try convert(version.row)
            } catch let rejection as Rejection {
                // Only a new version can be unreadable; the row's earlier version is retracted.
                guard records.isEmpty else { return .unreadable(records, rejection) }
                guard let before = change.before, let old = try? convert(before) else { throw rejection }
                switch try record(old, change: change, retraction: true, processedAt: processedAt, keyOf: keyOf) {
                case .record(let retraction): return .unreadable(records + [retraction], rejection)
                case .waitingFor(let parent): return .waitingFor(parent)
                }
            }
            switch try record(fields, change: change, retraction: version.retraction, processedAt: processedAt, keyOf: keyOf) {
            case .record(let record): records.append(record)
            case .waitingFor(let parent): return .waitingFor(parent)
            }
        }
        return .records(records)
    }

    private enum Built { case record(CanonicalRecord), waitingFor(ParentReference) }

    private func record(_ fields: [String: JSONValue], change: ChangeEvent, retraction: Bool, processedAt: Date,
                        keyOf: (ParentLookup) -> String?) throws -> Built {
        let key: String
        switch self.key {
        case .field(let name): key = try keyText(fields[name], name)
        case .parent(let kind, let via):
            let parent = ParentReference(kind: kind, id: try keyText(fields[via], via))
            guard let found = keyOf(ParentLookup(parent: parent, asOf: change.lsn ?? .max)) else { return .waitingFor(parent) }
            key = found
        }
        var withKey = fields
        withKey[model.keyField] = .string(key)
        let sourceID = sourceID(of: fields)
        let time = businessTimeField.flatMap { fields[$0]?.stringValue }.flatMap(BusinessTime.instant(fromISO:))
        return .record(CanonicalRecord(
            model: model, recordType: recordType,
            eventID: "\(system):\(table):\(sourceID):\(change.lsn ?? 0):\(retraction ? "del" : "new")",
            isRetraction: retraction, key: key, fields: withKey, businessTime: time,
            source: SourceCoordinates(system: system, object: table, sourceID: sourceID, version: change.txID.map(String.init) ?? "",
                                      position: String(change.lsn ?? 0), committedAt: change.committedAt,
                                      completesSnapshot: change.completesSnapshot),
            processedAt: processedAt))
    }

    /// The primary key as text (`/`-joined), from converted fields.
    private func sourceID(of fields: [String: JSONValue]) -> String {
        primaryKey.map { fields[$0].map(Self.plainText) ?? "" }.joined(separator: "/")
    }

    /// The primary key as text from a row as the source sent it (integers and text convert to themselves).
    private func rawSourceID(_ row: JSONValue) -> String {
        primaryKey.map { row[$0].map(Self.plainText) ?? "" }.joined(separator: "/")
    }

    /// The fact a header's change event establishes for its lines (nothing for a delete or a non-header).
    public func parentFacts(_ envelope: JSONValue?) throws -> [ParentFact] {
        guard let parentKind, let envelope, case .field(let keyName) = key else { return [] }
        let change = try ChangeEvent(envelope)
        guard change.op != "d", let after = change.after else { return [] }
        let fields = try convert(after)
        let id = primaryKey.map { fields[$0].map(Self.plainText) ?? "" }.joined(separator: "/")
        return [ParentFact(parent: ParentReference(kind: parentKind, id: id), key: try keyText(fields[keyName], keyName),
                           position: change.lsn ?? 0)]
    }

    /// The row's declared fields in canonical representation; anything else in the row is ignored.
    func convert(_ row: JSONValue) throws -> [String: JSONValue] {
        guard row.objectValue != nil else { throw Rejection("\(table) row is not an object") }
        var out: [String: JSONValue] = [:]
        for field in fields {
            let value = row[field.name] ?? .null
            // An optional text left empty is no value, as the warehouse's empty lot_code is "no lot":
            // a donation or shipment line with lot_code '' is read, not refused whole.
            if value == .null || (!field.required && field.type == .text && value.stringValue == "") {
                guard !field.required else { throw Rejection("\(field.name) is missing") }
                out[field.name] = .null
                continue
            }
            out[field.name] = try Self.canonical(value, as: field.type, name: field.name)
        }
        return out
    }

    static func canonical(_ value: JSONValue, as type: FieldType, name: String) throws -> JSONValue {
        switch type {
        case .text:
            guard let text = value.stringValue else { throw Rejection("\(name) is not text") }
            guard !text.isEmpty, text.count <= 200 else { throw Rejection("\(name) is empty or longer than 200 characters") }
            return .string(text)
        case .oneOf(let allowed):
            guard let text = value.stringValue else { throw Rejection("\(name) is not text") }
            guard allowed.contains(text) else { throw Rejection("unknown \(name) \(text.prefix(40))") }
            return .string(text)
        case .integer:
            guard let number = value.intValue, case .int = value else { throw Rejection("\(name) is not an integer") }
            guard number >= 0, number < 1 << 53 else { throw Rejection("\(name) \(number) is out of range") }
            return .int(number)
        case .decimal:
            return .string("\(try InventoryNormalizer.decimal(.object([name: value]), name))")
        case .timestamp:
            guard let text = value.stringValue, let instant = BusinessTime.instant(fromISO: text) else { throw Rejection("\(name) is not a timestamp") }
            return .string(BusinessTime.iso8601(instant))
        case .date:
            // Debezium's io.debezium.time.Date: days since 1970-01-01.
            // A range, not abs(days) < 200_000: abs of Int64.min overflows.
            guard case .int(let days) = value, (-199_999...199_999).contains(days) else { throw Rejection("\(name) is not a day number") }
            return .string(BusinessTime.utcDate(Date(timeIntervalSince1970: Double(days) * 86_400)))
        }
    }

    private func keyText(_ value: JSONValue?, _ name: String) throws -> String {
        guard let value, value != .null else { throw Rejection("\(name) is missing") }
        return Self.plainText(value)
    }

    public static func plainText(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .int(let i): String(i)
        default: value.encodedString()
        }
    }
}

/// The parts of a Debezium change event normalization reads, checked.
struct ChangeEvent {
    let op: String
    let before: JSONValue?
    let after: JSONValue?
    /// Absent from the rows of Debezium's incremental snapshots.
    let txID: Int64?
    /// The change's own LSN (two changes in one transaction have two); a snapshot row carries its
    /// snapshot's, older than anything streamed after it.
    let lsn: Int64?
    let committedAt: Date?
    /// `schema.table` from `source`, for a reason that names it.
    let table: String
    /// The marker of a table's last snapshot row (``SourceCoordinates/completesSnapshot``).
    let completesSnapshot: String?

    init(_ envelope: JSONValue) throws {
        guard envelope.objectValue != nil else { throw Rejection("change event is not an object") }
        guard let op = envelope["op"]?.stringValue else { throw Rejection("no op in the change event") }
        guard let source = envelope["source"], source.objectValue != nil else { throw Rejection("no source in the change event") }
        self.op = op
        self.before = envelope["before"].flatMap { $0 == .null ? nil : $0 }
        self.after = envelope["after"].flatMap { $0 == .null ? nil : $0 }
        self.txID = source["txId"]?.intValue
        self.lsn = source["lsn"]?.intValue
        if let millis = source["ts_ms"]?.intValue {
            guard let committedAt = BusinessTime.instant(fromEpochMillis: millis) else {
                throw Rejection("source.ts_ms \(millis) is not a time in the years 0001-9999")
            }
            self.committedAt = committedAt
        } else {
            self.committedAt = nil
        }
        self.table = "\(source["schema"]?.stringValue ?? "?").\(source["table"]?.stringValue ?? "?")"
        self.completesSnapshot = source["snapshot"]?.stringValue.flatMap { op == "r" && SnapshotMarkers.completing.contains($0) ? $0 : nil }
        guard op == "r" || lsn != nil else { throw Rejection("no source.lsn in a streamed change event") }
    }

    /// The versions to emit, in order: the row's new version; a delete's row as a retraction. An
    /// update that changed the primary key also retracts the old row (Debezium sends a delete and a
    /// create for it, but a source's own CDC may not).
    func versions(identity: (JSONValue) -> String) throws -> [(row: JSONValue, retraction: Bool)] {
        func row(_ name: String, _ row: JSONValue?) throws -> JSONValue {
            guard let row else { throw Rejection("op \(op) without its \(name) row") }
            return row
        }
        switch op {
        case "c", "r": return [(try row("after", after), false)]
        case "u":
            let new = try row("after", after)
            if let before, identity(before) != identity(new) { return [(before, true), (new, false)] }
            return [(new, false)]
        case "d": return [(try row("before", before), true)]
        case "t": throw Rejection("a TRUNCATE of \(table): the rows it removed are still counted, since no event names them (README, decision 31)")
        default: throw Rejection("unknown op \(op.prefix(20))")
        }
    }
}
