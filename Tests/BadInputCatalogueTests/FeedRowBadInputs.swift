import FoodbankJSON

/// Rows of published feed files (`foodbank.files.*`), as normalize reads them. An unreadable row is
/// still held by its file: the version it replaces stops counting.
enum FeedRowBadInputs {
    static let legacy = "foodbank.files.legacy_wms"
    static let adjustments = "foodbank.files.adjustments"

    static let legacyRow: [String: JSONValue] = [
        "movement_id": .string("M-1"), "movement_type": .string("RECEIPT"), "sku": .string("SKU-1"), "site_code": .string("HAY-SAT"),
        "lot": .string(""), "cases": .string("4"), "lbs": .string("40"), "occurred_at": .string("11/02/2026 09:15"), "reference": .string("D-1"),
    ]
    static let adjustmentRow: [String: JSONValue] = [
        "adjustment_id": .string("ADJ-1"), "sku": .string("SKU-1"), "location_id": .string("OAK-MAIN"), "lot_code": .string(""),
        "delta_cases": .string("-2"), "reason": .string("DAMAGE"), "approved_by": .string("pat"), "effective_date": .string("2026-11-02"),
        "notes": .string(""),
    ]

    static func record(_ row: JSONValue, change: String = "assert", dropping: String? = nil) -> JSONValue {
        var record: [String: JSONValue] = ["row": row, "file": .string("movements_HAY-SAT_202611020915.csv"), "file_version": .int(1),
                                           "record": .int(1), "delivery": .int(3), "change": .string(change)]
        if let dropping { record.removeValue(forKey: dropping) }
        return .object(record)
    }

    static func bad(_ topic: String, _ kind: String, _ reason: String, _ value: JSONValue?) -> BadInput {
        BadInput(layer: .feedRow, kind: kind, outcome: .normalizeDeadLetter, reason: reason) { CanonicalJudge.normalize(topic, value) }
    }

    static func legacyWith(_ kind: String, _ reason: String, _ changes: [String: JSONValue]) -> BadInput {
        bad(legacy, kind, reason, record(.object(legacyRow.merging(changes) { _, new in new })))
    }

    static func adjustmentWith(_ kind: String, _ reason: String, _ changes: [String: JSONValue]) -> BadInput {
        bad(adjustments, kind, reason, record(.object(adjustmentRow.merging(changes) { _, new in new })))
    }

    static let all: [BadInput] = [
        bad(legacy, "a feed record without a value", "a feed record without a value", nil),
        bad(legacy, "a feed record without its row", "feed record without its row", .object(["file": .string("f")])),
        bad(legacy, "a feed record written before deliveries were numbered", "feed record without file, file_version, record or delivery",
            record(.object(legacyRow), dropping: "delivery")),
        bad(legacy, "a feed record whose change is neither assert nor retract", "unknown change upsert", record(.object(legacyRow), change: "upsert")),
        legacyWith("a movement row without its site code", "row without its site_code and movement_id", ["site_code": .string("")]),
        legacyWith("an unknown movement_type", "unknown movement_type GIFT", ["movement_type": .string("GIFT")]),
        legacyWith("an occurred_at in ISO form", "occurred_at 2026-11-02T09:15 is not MM/DD/YYYY HH:MM", ["occurred_at": .string("2026-11-02T09:15")]),
        legacyWith("a movement of zero cases", "cases must be positive, is 0", ["cases": .string("0")]),
        legacyWith("cases in words", "cases ten is not a decimal", ["cases": .string("ten")]),
        legacyWith("pounds with a thousands separator", "lbs 1,200 is not a decimal", ["lbs": .string("1,200")]),
        adjustmentWith("an adjustment without its id", "row without its adjustment_id", ["adjustment_id": .string("")]),
        adjustmentWith("an unknown adjustment reason", "unknown reason GIFT", ["reason": .string("GIFT")]),
        adjustmentWith("an effective_date with slashes", "effective_date 2026/11/02 is not YYYY-MM-DD", ["effective_date": .string("2026/11/02")]),
        adjustmentWith("an effective_date that is no day", "effective_date 2026-02-30 is not YYYY-MM-DD", ["effective_date": .string("2026-02-30")]),
        adjustmentWith("a delta with a plus sign", "delta_cases +5 is not a decimal", ["delta_cases": .string("+5")]),
    ]
}
