import FoodbankJSON

/// The JSON Schema of a ``CanonicalModel``, generated from the record specs so the document in
/// `topics/schemas/` cannot drift from what normalize writes (a test compares them;
/// `foodbank-ctl schemas write` regenerates the files).
public enum CanonicalSchema {
    public static func fileName(_ model: CanonicalModel) -> String { "\(model.rawValue).v\(CanonicalModel.schemaVersion).json" }

    public static func document(_ model: CanonicalModel) -> JSONValue {
        let specs = RecordSpec.all.filter { $0.model == model }
        return .object([
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "$id": .string("foodbank/canonical/\(model.rawValue)/v\(CanonicalModel.schemaVersion)"),
            "title": .string("Canonical \(model.rawValue), schema version \(CanonicalModel.schemaVersion) (topics foodbank.canonical.\(model.rawValue) and foodbank.unique.\(model.rawValue), key: \(model.keyField))"),
            "description": .string("""
                One version of one source row, a state and not a delta: record_type says which table. An inserted or updated \
                row is its new version (event id ending :new); a deleted row, or the old key of a row whose key changed, a \
                retraction (retraction: true, :del). Keep per record identity (source.system, source.object, source.source_id) \
                the version with the highest source.position (an equal one changes nothing); it counts unless it is a \
                retraction. Lines carry their header's \(model.keyField), found through the header's row.
                """),
            // Self-contained (no reference to another file), so any standard validator takes it as it is.
            "$defs": .object(["source": sourceSchema(systems: specs.map(\.system))]),
            "oneOf": .array(specs.map(recordSchema)),
        ])
    }

    /// Where a record's version came from: the same coordinates as an inventory event's `source`,
    /// for this model's systems (all change data capture, so `holder` is empty).
    private static func sourceSchema(systems: [String]) -> JSONValue {
        var seen = Set<String>()
        let string = { (description: String) in JSONValue.object(["type": .string("string"), "description": .string(description)]) }
        return .object([
            "type": .string("object"),
            "additionalProperties": .bool(false),
            "required": .array(["system", "object", "source_id", "version", "position", "committed_at", "holder"].map(JSONValue.string)),
            "properties": .object([
                "system": .object(["enum": .array(systems.filter { seen.insert($0).inserted }.map(JSONValue.string))]),
                "object": string("Source table, schema.table."),
                "source_id": string("Primary key, / separated."),
                "version": string("Transaction id; empty when Debezium gives none."),
                "position": .object(["type": .string("string"), "pattern": .string("^[0-9]+$"),
                                     "description": .string("The change's LSN; a snapshot row its snapshot's.")]),
                "holder": .object(["const": .string(""), "description": .string("Empty: a database row has no holder but itself.")]),
                "committed_at": .object(["type": .array([.string("string"), .string("null")]), "format": .string("date-time")]),
                "completes_snapshot": .object(["enum": .array([.string("last_in_data_collection"), .string("last")]), "description": .string(
                    "On the last row of a table's snapshot, Debezium's marker of it: last_in_data_collection completes its table; last, "
                        + "the snapshot's very last row, completes every table of its system. The table's rows held at an older position "
                        + "were deleted while no slot existed, and consumers remove them (README, decision 32).")]),
            ]),
        ])
    }

    private static func recordSchema(_ spec: RecordSpec) -> JSONValue {
        var properties: [String: JSONValue] = [
            "schema_version": .object(["const": .int(CanonicalModel.schemaVersion)]),
            "event_id": .object(["type": .string("string"), "description": .string("<system>:<schema.table>:<primary key, / separated>:<change LSN>:<new|del>")]),
            "record_type": .object(["const": .string(spec.recordType)]),
            "retraction": .object(["type": .string("boolean")]),
            "business_time": .object(["type": .array([.string("string"), .string("null")]), "format": .string("date-time"),
                                      "description": .string(spec.businessTimeField.map { "UTC; from \($0)" } ?? "null: dated by its header")]),
            "business_date": .object(["type": .array([.string("string"), .string("null")]), "format": .string("date"),
                                      "description": .string("business_time's day in America/Los_Angeles")]),
            "source": .object(["$ref": .string("#/$defs/source")]),
            "processed_at": .object(["type": .string("string"), "format": .string("date-time")]),
        ]
        for field in spec.fields { properties[field.name] = fieldSchema(field) }
        properties[spec.model.keyField] = .object(["type": .string("string"), "description": .string("The Kafka key.")])
        let names = CanonicalRecord.envelopeFields + spec.fields.map(\.name) + [spec.model.keyField]
        var seen = Set<String>()
        return .object([
            "title": .string("\(spec.recordType): a row of \(spec.system):\(spec.table)"),
            "type": .string("object"),
            "additionalProperties": .bool(false),
            "required": .array(names.filter { seen.insert($0).inserted }.map(JSONValue.string)),
            "properties": .object(properties),
        ])
    }

    private static func fieldSchema(_ field: RecordSpec.Field) -> JSONValue {
        var schema: [String: JSONValue]
        switch field.type {
        case .text: schema = ["type": .string("string"), "maxLength": .int(200)]
        case .integer: schema = ["type": .string("integer"), "minimum": .int(0)]
        case .decimal: schema = ["type": .string("string"), "pattern": .string("^-?[0-9]+(\\.[0-9]+)?$")]
        case .timestamp: schema = ["type": .string("string"), "format": .string("date-time")]
        case .date: schema = ["type": .string("string"), "format": .string("date")]
        case .oneOf(let values): schema = ["enum": .array(values.map(JSONValue.string))]
        }
        if !field.required {
            if case .array(let values)? = schema["enum"] { schema["enum"] = .array(values + [.null]) }
            if case .string(let type)? = schema["type"] { schema["type"] = .array([.string(type), .string("null")]) }
        }
        return .object(schema)
    }
}
