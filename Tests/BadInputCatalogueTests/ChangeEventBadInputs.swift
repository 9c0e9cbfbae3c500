import FoodbankJSON

/// Debezium change events from the four PostgreSQL systems, as normalize reads them.
enum ChangeEventBadInputs {
    static let movements = "foodbank.cdc.warehouse.wms.inventory_transactions"
    static let intakes = "foodbank.cdc.donations.intake.donations"
    static let orders = "foodbank.cdc.agency.agency.orders"
    static let orderLines = "foodbank.cdc.agency.agency.order_lines"
    static let shipments = "foodbank.cdc.fulfillment.pick.shipments"
    static let donationLines = "foodbank.cdc.donations.intake.donation_lines"

    static let movement: [String: JSONValue] = [
        "txn_id": .int(42), "txn_type": .string("receipt"), "sku": .string("SKU-1"), "location_id": .string("OAK-MAIN"),
        "to_location_id": .null, "lot_code": .null, "quantity_cases": .string("10.50"), "weight_lbs": .null,
        "occurred_at": .string("2026-11-22T07:30:00Z"),
    ]
    static let intake: [String: JSONValue] = [
        "intake_id": .int(7), "donation_id": .string("D-7"), "donor_id": .string("DN-1"), "location_id": .string("OAK-MAIN"),
        "received_at": .string("2026-11-22T07:30:00Z"), "status": .string("received"),
    ]
    static let order: [String: JSONValue] = [
        "order_id": .string("O-1"), "agency_id": .string("AG-1"), "requested_for": .int(20_780), "status": .string("submitted"),
        "created_at": .string("2026-11-22T07:30:00Z"),
    ]
    static let orderLine: [String: JSONValue] = [
        "order_id": .string("O-1"), "line_no": .int(1), "sku": .string("SKU-1"), "quantity_cases_requested": .string("4"),
    ]
    static let shipment: [String: JSONValue] = [
        "shipment_id": .string("SH-1"), "order_id": .string("O-1"), "location_id": .string("OAK-MAIN"),
        "shipped_at": .string("2026-11-22T07:30:00Z"), "status": .string("shipped"),
    ]
    static let donationLine: [String: JSONValue] = [
        "intake_id": .int(7), "line_no": .int(1), "sku": .string("SKU-1"), "quantity_cases": .string("4"), "weight_lbs": .string("40"),
    ]

    static func envelope(op: String = "c", before: JSONValue = .null, after: JSONValue = .null, source: JSONValue? = nil) -> JSONValue {
        .object(["op": .string(op), "before": before, "after": after,
                 "source": source ?? .object(["txId": .int(754), "lsn": .int(43_933_176), "ts_ms": .int(1_795_362_716_373)])])
    }

    static func row(_ base: [String: JSONValue], _ changes: [String: JSONValue]) -> JSONValue {
        .object(base.merging(changes) { _, new in new })
    }

    static func bad(_ topic: String, _ kind: String, _ reason: String, _ value: JSONValue) -> BadInput {
        BadInput(layer: .changeEvent, kind: kind, outcome: .normalizeDeadLetter, reason: reason) { CanonicalJudge.normalize(topic, value) }
    }

    static func movementWith(_ kind: String, _ reason: String, _ changes: [String: JSONValue], without absent: String? = nil) -> BadInput {
        var changed = movement.merging(changes) { _, new in new }
        if let absent { changed.removeValue(forKey: absent) }
        return bad(movements, kind, reason, envelope(after: .object(changed)))
    }

    static let all: [BadInput] = envelopes + movementRows + records

    static let envelopes: [BadInput] = [
        BadInput(layer: .changeEvent, kind: "bytes that are not JSON", outcome: .normalizeDeadLetter, reason: "invalid JSON at line 1") {
            CanonicalJudge.normalize(movements, bytes: Array("{\"op\":".utf8))
        },
        BadInput(layer: .changeEvent, kind: "bytes that are not UTF-8", outcome: .normalizeDeadLetter, reason: "invalid JSON at line 1") {
            CanonicalJudge.normalize(movements, bytes: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D])
        },
        bad(movements, "a change event that is not an object", "change event is not an object", .array([.int(1)])),
        bad(movements, "a change event without op", "no op in the change event", .object(["after": row(movement, [:]), "source": .object([:])])),
        bad(movements, "a change event without source", "no source in the change event", .object(["op": .string("c"), "after": row(movement, [:])])),
        bad(movements, "a streamed change without source.lsn", "no source.lsn in a streamed change event",
            envelope(after: row(movement, [:]), source: .object(["txId": .int(754)]))),
        bad(movements, "an unknown op", "unknown op x", envelope(op: "x", after: row(movement, [:]))),
        bad(movements, "a commit time outside the years 0001-9999", "source.ts_ms 9223372036854775807 is not a time in the years 0001-9999",
            envelope(after: row(movement, [:]), source: .object(["txId": .int(754), "lsn": .int(1), "ts_ms": .int(.max)]))),
        bad(movements, "a create without its after row", "op c without its after row", envelope()),
        bad(movements, "a TRUNCATE of a source table", "a TRUNCATE of wms.inventory_transactions: the rows it removed are still counted",
            .object(["op": .string("t"), "source": .object(["schema": .string("wms"), "table": .string("inventory_transactions"),
                                                          "txId": .int(754), "lsn": .int(43_933_176)])])),
        bad(movements, "a delete without its before row", "op d without its before row", envelope(op: "d")),
    ]

    static let movementRows: [BadInput] = [
        movementWith("a movement whose txn_id is not an integer", "txn_id missing or not an integer", ["txn_id": .string("42")]),
        movementWith("an unknown txn_type", "unknown txn_type gift", ["txn_type": .string("gift")]),
        movementWith("a movement without its sku", "sku is missing", [:], without: "sku"),
        movementWith("a null sku", "sku is not text", ["sku": .null]),
        movementWith("a sku that is not text", "sku is not text", ["sku": .int(12)]),
        movementWith("an empty sku", "sku is empty", ["sku": .string("")]),
        movementWith("a location id over 200 characters", "location_id is 201 characters long", ["location_id": .string(String(repeating: "L", count: 201))]),
        movementWith("a quantity with an exponent", "quantity_cases 1e3 is not a decimal", ["quantity_cases": .string("1e3")]),
        movementWith("a quantity with more than 12 integer digits", "quantity_cases 1234567890123 is not a decimal",
                     ["quantity_cases": .string("1234567890123")]),
        movementWith("a quantity that is not a number", "quantity_cases is not a decimal", ["quantity_cases": .bool(true)]),
        movementWith("a movement without its quantity", "quantity_cases is missing", ["quantity_cases": .null]),
        movementWith("a receipt of zero cases", "quantity_cases must be positive, is 0", ["quantity_cases": .string("0")]),
        movementWith("a distribution of negative cases", "quantity_cases must be positive, is -3",
                     ["txn_type": .string("distribution"), "quantity_cases": .string("-3")]),
        movementWith("an occurred_at that is not a timestamp", "occurred_at missing or not a timestamp", ["occurred_at": .string("yesterday")]),
        movementWith("a transfer without its destination", "transfer 42 has no to_location_id", ["txn_type": .string("transfer")]),
        movementWith("a weight with a decimal comma", "weight_lbs 12,5 is not a decimal", ["weight_lbs": .string("12,5")]),
        bad(movements, "a correction to an unreadable value (the old version is removed)", "quantity_cases must be positive, is 0",
            envelope(op: "u", before: row(movement, [:]), after: row(movement, ["quantity_cases": .string("0")]))),
    ]

    static let records: [BadInput] = [
        bad(intakes, "a row that is not an object", "intake.donations row is not an object", envelope(after: .string("row"))),
        bad(intakes, "an intake without its intake_id", "intake_id is missing", envelope(after: row(intake, ["intake_id": .null]))),
        bad(intakes, "an intake_id given as text", "intake_id is not an integer", envelope(after: row(intake, ["intake_id": .string("7")]))),
        bad(intakes, "a negative intake_id", "intake_id -1 is out of range", envelope(after: row(intake, ["intake_id": .int(-1)]))),
        bad(intakes, "an empty donation id", "donation_id is empty or longer than 200 characters",
            envelope(after: row(intake, ["donation_id": .string("")]))),
        bad(intakes, "an unknown intake status", "unknown status lost", envelope(after: row(intake, ["status": .string("lost")]))),
        bad(intakes, "a received_at that is not a timestamp", "received_at is not a timestamp",
            envelope(after: row(intake, ["received_at": .string("2026-13-45")]))),
        bad(orders, "a requested_for that is not a day number", "requested_for is not a day number",
            envelope(after: row(order, ["requested_for": .string("2026-11-22")]))),
        bad(orders, "a requested_for of Int64.min days", "requested_for is not a day number",
            envelope(after: row(order, ["requested_for": .int(.min)]))),
        bad(orderLines, "a requested quantity that is not a decimal", "quantity_cases_requested four is not a decimal",
            envelope(after: row(orderLine, ["quantity_cases_requested": .string("four")]))),
        bad(shipments, "an unknown shipment status", "unknown status lost", envelope(after: row(shipment, ["status": .string("lost")]))),
        bad(donationLines, "a fair market value that is not a decimal", "fair_market_value_usd $12 is not a decimal",
            envelope(after: row(donationLine, ["fair_market_value_usd": .string("$12")]))),
    ]
}
