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
                One version of one source row: record_type says which table. An inserted row is one record; an updated row a \
                retraction of its old version (retraction: true, event id ending :old) and the new version (:new); a deleted row \
                a retraction. Keep, per record identity, the latest non-retracted version. Lines carry their header's \
                \(model.keyField), found through the header's row.
                """),
            "oneOf": .array(specs.map(recordSchema)),
        ])
    }

    private static func recordSchema(_ spec: RecordSpec) -> JSONValue {
        var properties: [String: JSONValue] = [
            "schema_version": .object(["const": .int(CanonicalModel.schemaVersion)]),
            "event_id": .object(["type": .string("string"), "description": .string("<system>:<schema.table>:<primary key, / separated>:<txId>:<new|old>")]),
            "record_type": .object(["const": .string(spec.recordType)]),
            "retraction": .object(["type": .string("boolean")]),
            "business_time": .object(["type": .array([.string("string"), .string("null")]), "format": .string("date-time"),
                                      "description": .string(spec.businessTimeField.map { "UTC; from \($0)" } ?? "null: dated by its header")]),
            "business_date": .object(["type": .array([.string("string"), .string("null")]), "format": .string("date"),
                                      "description": .string("business_time's day in America/Los_Angeles")]),
            "source": .object(["$ref": .string("inventory_events.v1.json#/properties/source")]),
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
