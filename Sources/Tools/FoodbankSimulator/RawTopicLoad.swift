import FoodbankJSON

/// Synthetic records as they appear on the raw topics (Debezium change events of all four
/// databases' movement and transaction tables, and feed records), for the normalize/dedupe crash
/// test and benchmark: it skips the source databases and cdc, which have their own tests.
///
/// Deterministic per `tag`. It has updates and deletes, lines whose header is on another topic,
/// a share of records sent twice (as a cdc or watcher retry would) and bad records.
public struct RawTopicLoad: Sendable {
    public struct Record: Sendable {
        /// The declared topic name (a test or benchmark appends its suffix).
        public let topic: String
        public let key: String
        public let value: [UInt8]?
    }

    public let records: [Record]
    /// How many records are deliberately bad (each must end in normalize's dead-letter topic).
    public let badRecords: Int
    /// How many records are exact re-sends of an earlier one.
    public let resent: Int

    /// About `scale` movements; donations, orders and shipments in proportion, plus 5% re-sends.
    public init(tag: String, scale: Int) {
        var records: [Record] = []
        var rng = SplitMix64(seed: Simulation.stableNumber(tag))
        // Transaction ids, which make the event ids, start at an offset of the tag's: loads of different tags never share an event.
        var txID: Int64 = 10_000 + Int64(Simulation.stableNumber(tag) % 1_000_000_000) * 1_000_000
        var lsn: Int64 = 1_000_000
        func change(_ topic: String, key: JSONValue, op: String, before: JSONValue?, after: JSONValue?) {
            txID += 1
            lsn += 1
            let value = JSONValue.object([
                "op": .string(op), "before": before ?? .null, "after": after ?? .null, "ts_ms": .int(1_795_400_000_000 + lsn),
                "source": .object(["txId": .int(txID), "lsn": .int(lsn), "ts_ms": .int(1_795_400_000_000 + lsn), "snapshot": .string("false")]),
            ])
            records.append(Record(topic: topic, key: key.encodedString(), value: value.encoded()))
            if op == "d" { records.append(Record(topic: topic, key: key.encodedString(), value: nil)) }
        }
        let time = { (i: Int) in JSONValue.string("2026-11-\(String(format: "%02d", 1 + i % 28))T\(String(format: "%02d", i % 24)):15:00Z") }
        let sku = { (i: Int) in JSONValue.string(Simulation.sku(i % Simulation.skuCount)) }

        let movements = "foodbank.cdc.warehouse.wms.inventory_transactions"
        for i in 0..<scale {
            let types = ["receipt", "receipt", "distribution", "transfer", "spoilage", "adjustment"]
            let type = types[Int(rng.next(below: UInt64(types.count)))]
            var row: [String: JSONValue] = [
                "txn_id": .int(Int64(i + 1)), "txn_type": .string(type), "sku": sku(i), "location_id": .string("OAK-MAIN"),
                "to_location_id": type == "transfer" ? .string("OAK-COLD") : .null, "lot_code": i % 3 == 0 ? .string("L\(i % 7)") : .null,
                "quantity_cases": .string("\(1 + rng.next(below: 40)).00"), "weight_lbs": .null, "reason_code": .null,
                "reference_type": .null, "reference_id": .null, "occurred_at": time(i), "recorded_by": .null, "updated_at": time(i),
            ]
            let key = JSONValue.object(["txn_id": .int(Int64(i + 1))])
            change(movements, key: key, op: "c", before: nil, after: .object(row))
            if i % 10 == 0 {
                let before = row
                row["quantity_cases"] = .string("\(2 + rng.next(below: 40)).00")
                change(movements, key: key, op: "u", before: .object(before), after: .object(row))
            }
            if i % 25 == 0 { change(movements, key: key, op: "d", before: .object(row), after: nil) }
        }

        // Donations: an intake and two lines; every 20th receipt number keyed twice.
        // Intake ids are numbers: offset per tag, so runs beside each other on one database do not collide.
        let firstIntake = Int64(Simulation.stableNumber(tag) % 1_000_000_000) * 1_000_000
        for i in 0..<max(scale / 10, 2) {
            let intake = firstIntake + Int64(i + 1)
            let row: JSONValue = .object(["intake_id": .int(intake), "donation_id": .string("D-\(tag)-\(i % 20 == 1 ? i - 1 : i)"),
                                          "donor_id": .string("DON-\(i % 9)"), "location_id": .string("OAK-MAIN"), "received_at": time(i),
                                          "status": .string("received"), "updated_at": time(i)])
            change("foodbank.cdc.donations.intake.donations", key: .object(["intake_id": .int(intake)]), op: "c", before: nil, after: row)
            for line in 1...2 {
                change("foodbank.cdc.donations.intake.donation_lines", key: .object(["intake_id": .int(intake), "line_no": .int(Int64(line))]),
                       op: "c", before: nil, after: .object([
                           "intake_id": .int(intake), "line_no": .int(Int64(line)), "sku": sku(i + line), "quantity_cases": .string("\(line + i % 5).00"),
                           "weight_lbs": .string("\(20 * line).00"), "lot_code": .null, "fair_market_value_usd": .string("\(15 * line).50")]))
            }
        }

        // Orders with two lines, and a shipment with two lines for each.
        for i in 0..<max(scale / 15, 2) {
            let order = JSONValue.string("ORD-\(tag)-\(i)")
            let shipment = JSONValue.string("SH-\(tag)-\(i)")
            let orderRow: [String: JSONValue] = ["order_id": order, "agency_id": .string("AG-\(i % 12)"), "requested_for": .int(20_770 + Int64(i % 30)),
                                                 "status": .string("submitted"), "created_at": time(i), "updated_at": time(i)]
            change("foodbank.cdc.agency.agency.orders", key: .object(["order_id": order]), op: "c", before: nil, after: .object(orderRow))
            for line in 1...2 {
                change("foodbank.cdc.agency.agency.order_lines", key: .object(["order_id": order, "line_no": .int(Int64(line))]), op: "c",
                       before: nil, after: .object(["order_id": order, "line_no": .int(Int64(line)), "sku": sku(i + line),
                                                    "quantity_cases_requested": .string("\(3 + line).00")]))
            }
            var shipmentRow: [String: JSONValue] = ["shipment_id": shipment, "order_id": order, "location_id": .string("OAK-MAIN"),
                                                    "shipped_at": .null, "status": .string("picked"), "updated_at": time(i)]
            change("foodbank.cdc.fulfillment.pick.shipments", key: .object(["shipment_id": shipment]), op: "c", before: nil, after: .object(shipmentRow))
            for line in 1...2 {
                change("foodbank.cdc.fulfillment.pick.shipment_lines", key: .object(["shipment_id": shipment, "line_no": .int(Int64(line))]), op: "c",
                       before: nil, after: .object(["shipment_id": shipment, "line_no": .int(Int64(line)), "order_line_no": .int(Int64(line)),
                                                    "sku": sku(i + line), "lot_code": .null, "quantity_cases": .string("\(2 + line).00"), "weight_lbs": .null]))
            }
            let before = shipmentRow
            shipmentRow["shipped_at"] = time(i)
            shipmentRow["status"] = .string("shipped")
            change("foodbank.cdc.fulfillment.pick.shipments", key: .object(["shipment_id": shipment]), op: "u", before: .object(before), after: .object(shipmentRow))
        }

        // Feed rows, as the watcher publishes them: each file its own delivery, in order.
        for i in 0..<max(scale / 20, 2) {
            let file = "movements_HAY_\(tag)_\(i / 50).csv"
            let row: JSONValue = .object(["movement_id": .string("HAY-\(i)"), "movement_type": .string(i % 2 == 0 ? "RECEIPT" : "DISTRIBUTION"),
                                          "sku": sku(i), "site_code": .string("HAY-SAT"), "lot": .string(""), "cases": .string("\(1 + i % 9)"),
                                          "lbs": .string(""), "occurred_at": .string("11/\(String(format: "%02d", 1 + i % 28))/2026 09:30"),
                                          "reference": .string("")])
            records.append(Record(topic: "foodbank.files.legacy_wms", key: "HAY-SAT|HAY-\(i)", value: JSONValue.object([
                "feed": .string("legacy_wms"), "file": .string(file), "file_version": .int(1), "file_sha256": .string("sha-\(i / 50)"),
                "record": .int(Int64(i % 50 + 1)), "delivery": .int(Int64(i / 50 + 1)), "change": .string("assert"), "row": row]).encoded()))
        }

        // Re-sends: 5% of what came before, again, byte for byte.
        let resends = records.count / 20
        for _ in 0..<resends { records.append(records[Int(rng.next(below: UInt64(records.count)))]) }

        // Bad records, one of each kind, on several topics.
        let bad: [(String, [UInt8]?)] = [
            (movements, Array("{not json".utf8)), (movements, Array(#"{"op":"x","source":{"txId":1}}"#.utf8)), (movements, Array("[1,2,3]".utf8)),
            ("foodbank.cdc.donations.intake.donations", Array(#"{"op":"c","after":{"intake_id":"seven"},"source":{"txId":1,"lsn":1}}"#.utf8)),
            ("foodbank.cdc.agency.agency.orders", Array(#"{"op":"c","after":{"order_id":"O","agency_id":"A","requested_for":1,"status":"lost","created_at":"2026-11-01T00:00:00Z"},"source":{"txId":1,"lsn":1}}"#.utf8)),
            ("foodbank.files.legacy_wms", nil),
            ("foodbank.files.legacy_wms", [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]),  // invalid UTF-8
        ]
        for (topic, value) in bad { records.append(Record(topic: topic, key: "bad", value: value)) }
        self.records = records
        self.badRecords = bad.count
        self.resent = resends
    }
}
