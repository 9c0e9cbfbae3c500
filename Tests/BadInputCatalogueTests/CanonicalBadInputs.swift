import FoodbankCanonical
@testable import FoodbankDQ
import FoodbankJSON
@testable import FoodbankNightly
@testable import FoodbankReconcile

/// Canonical records (`foodbank.unique.*`) as the sinks read them. normalize writes only valid
/// ones, so these come from a writer outside the platform, or a bug: each sink dead-letters them.
enum CanonicalBadInputs {
    /// A valid record as normalize writes it, for the bad ones to start from.
    static func valid(_ topic: String, _ row: [String: JSONValue]) -> [String: JSONValue] {
        guard case .outputs(let outputs)? = try? RawSource.forTopic(topic)?.outputs(
            Array(ChangeEventBadInputs.envelope(after: .object(row)).encoded()), processedAt: CanonicalJudge.now, keyOf: { _ in "K" }),
            let value = outputs.first?.value.objectValue else { return [:] }
        return value
    }

    static let inventoryEvent = valid(ChangeEventBadInputs.movements, ChangeEventBadInputs.movement)
    static let intake = valid(ChangeEventBadInputs.intakes, ChangeEventBadInputs.intake)

    static func changed(_ record: [String: JSONValue], _ changes: [String: JSONValue?]) -> [UInt8] {
        var record = record
        for (field, value) in changes { record[field] = value }
        return Array(JSONValue.object(record).encoded())
    }

    static func source(_ record: [String: JSONValue], _ changes: [String: JSONValue?]) -> JSONValue {
        var source = record["source"]?.objectValue ?? [:]
        for (field, value) in changes { source[field] = value }
        return .object(source)
    }

    static func reconcile(_ kind: String, _ reason: String, _ changes: [String: JSONValue?]) -> BadInput {
        BadInput(layer: .canonical, kind: "reconcile: " + kind, outcome: .reconcileDeadLetter, reason: reason) {
            CanonicalJudge.reason { _ = try ReconcileRules.version(try JSONValue.parse(changed(inventoryEvent, changes))) }
        }
    }

    static func dq(_ kind: String, _ reason: String, _ input: DQFacts.Input, _ bytes: [UInt8]?) -> BadInput {
        BadInput(layer: .canonical, kind: "dq: " + kind, outcome: .dqDeadLetter, reason: reason) {
            CanonicalJudge.reason {
                var facts = DQFacts()
                try facts.add(input, bytes)
            }
        }
    }

    static func nightly(_ kind: String, _ reason: String, _ input: NightlyRecords.Input, _ bytes: [UInt8]?) -> BadInput {
        BadInput(layer: .canonical, kind: "nightly: " + kind, outcome: .nightlyDeadLetter, reason: reason) {
            CanonicalJudge.reason { _ = try NightlyRecords.version(input, bytes) }
        }
    }

    static let all: [BadInput] = [
        reconcile("another schema version", "unsupported schema_version", ["schema_version": .int(2)]),
        reconcile("no source coordinates", "source coordinates missing", ["source": nil]),
        reconcile("a source position that is not a number", "source.position is not a number",
                  ["source": source(inventoryEvent, ["position": .string("0/29E5DF8")])]),
        reconcile("a change that is neither assert, retract nor unreadable", "change missing or unknown", ["change": .string("upsert")]),
        reconcile("a delta that is not a decimal", "delta_cases is not a decimal", ["delta_cases": .string("1e3")]),
        reconcile("a weight that is not a decimal", "weight_lbs is not a decimal", ["weight_lbs": .string("heavy")]),
        reconcile("an occurred_at that is not a timestamp", "occurred_at is not a timestamp", ["occurred_at": .string("noon")]),
        dq("bytes that are not JSON", "invalid JSON at line 1", .inventoryEvents, Array("[".utf8)),
        dq("a record without a value", "a record without a value", .donations, nil),
        dq("a donation record without its record_type", "record_type missing", .donations, changed(intake, ["record_type": nil])),
        dq("a counted movement without its sku", "sku missing", .inventoryEvents, changed(inventoryEvent, ["sku": .string("")])),
        dq("a record without its retraction flag", "retraction missing", .donations, changed(intake, ["retraction": nil])),
        dq("an item change without its sku", "item without sku", .items,
           Array(ChangeEventBadInputs.envelope(after: .object(["unit_weight_lbs": .string("2")])).encoded())),
        dq("an item weight that is not a decimal", "unit_weight_lbs is not a decimal", .items,
           Array(ChangeEventBadInputs.envelope(after: .object(["sku": .string("SKU-1"), "unit_weight_lbs": .string("two")])).encoded())),
        nightly("a record without a value", "a record without a value", .canonical, nil),
        nightly("a donor change without its op", "no op in the change event", .donors, Array(JSONValue.object(["after": .object([:])]).encoded())),
        nightly("a donor without its donor_id", "donor without donor_id", .donors,
                Array(ChangeEventBadInputs.envelope(after: .object(["name": .string("x")])).encoded())),
    ]
}
