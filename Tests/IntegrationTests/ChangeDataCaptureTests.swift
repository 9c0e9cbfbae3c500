import FoodbankCDC
import FoodbankJSON
import FoodbankKafka
import FoodbankPostgres
import Foundation
import Testing

extension Integration {
    /// The local cdc executable against the stack's four source databases.
    @Suite struct ChangeDataCapture {
        /// One run with topics and replication slots of its own.
        struct Run {
            let tag = TestStack.uniqueName("t").replacingOccurrences(of: "-", with: "_")
            var topicRoot: String { "foodbank.cdctest.\(tag)" }
            var slotPrefix: String { "test_\(tag)" }

            func topic(_ database: String, _ table: String) -> String { "\(topicRoot).\(database).\(table)" }

            func createTopics() throws {
                let admin = try KafkaAdmin(configuration: try TestStack.kafka)
                var topics: [KafkaAdmin.NewTopic] = []
                for database in CDCConfiguration.databases {
                    for table in try tables(database) { topics.append(.init(name: topic(database, table), partitions: 3)) }
                }
                _ = try admin.createTopics(topics)
            }

            func tables(_ database: String) throws -> [String] {
                let catalogPath = TestStack.packageRoot.appendingPathComponent("topics/topics.json").path
                let prefix = "foodbank.cdc.\(database)."
                let data = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: catalogPath))))
                return (data["topics"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
                    .filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            }

            func start() throws -> ChildProcess {
                try ChildProcess(TestStack.binDirectory.appendingPathComponent("cdc"),
                                 ["--topic-root", topicRoot, "--slot-prefix", slotPrefix, "--idle-millis", "50"],
                                 environment: TestStack.environment.merging(["FOODBANK_TOPICS_FILE": TestStack.packageRoot.appendingPathComponent("topics/topics.json").path]) { _, new in new },
                                 name: "cdc-\(tag)")
            }

            func source(_ database: String) throws -> PostgresConnection {
                try PostgresConnection(url: try CDCConfiguration.sourceURL(for: database, environment: TestStack.environment))
            }

            /// Waits until every database's slot exists with its snapshot published: changes made
            /// from then on are streamed, earlier ones are in the snapshot.
            func waitUntilCapturing(_ cdc: ChildProcess) throws {
                let reporting = try TestStack.database()
                let ready = try eventually(timeout: .seconds(60)) {
                    try reporting.execute("""
                        SELECT count(*) FROM platform.cdc_sources WHERE slot_name LIKE $1 AND snapshot_completed_at IS NOT NULL
                        """, [.text("\(slotPrefix)\\_%")]).scalar == String(CDCConfiguration.databases.count)
                }
                #expect(ready, "cdc did not finish its snapshots:\n\(cdc.logTail)")
            }

            /// Replication slots hold WAL back: every test drops its own (and forgets them).
            func dropSlots() {
                _ = try? TestStack.database().execute("DELETE FROM platform.cdc_sources WHERE slot_name LIKE $1", [.text("\(slotPrefix)\\_%")])
                for database in CDCConfiguration.databases {
                    _ = try? source(database).execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1",
                                                      [.text("\(slotPrefix)_\(database)")])
                }
            }

            /// Reads `topic` from the start until `done` holds for what was read, or `timeout`.
            func read(_ topic: String, timeout: Duration = .seconds(60), until done: ([KafkaMessage]) -> Bool) throws -> [KafkaMessage] {
                try readTopic(topic, kafka: try TestStack.kafka, timeout: timeout, until: done)
            }
        }

        struct Event {
            let key: JSONValue
            let value: JSONValue?
            var op: String? { value?["op"]?.stringValue }
        }

        func events(_ messages: [KafkaMessage]) throws -> [Event] {
            try messages.map { Event(key: try JSONValue.parse($0.key ?? []), value: try $0.value.map { try JSONValue.parse($0) }) }
        }

        @Test func everyInsertUpdateAndDeleteArrivesAsADebeziumEnvelope() throws {
            let run = Run()
            try run.createTopics()
            defer { run.dropSlots() }
            let tag = run.tag
            let warehouse = try run.source("warehouse")
            // Before the slot exists: must arrive through the snapshot, as op "r".
            try warehouse.execute("INSERT INTO wms.items (sku, description, category, unit_weight_lbs) VALUES ($1, 'beans', 'dry_goods', 12.5)",
                                  [.text("SNAP-\(tag)")])
            let cdc = try run.start()
            defer { cdc.terminate() }
            try run.waitUntilCapturing(cdc)

            try warehouse.execute("INSERT INTO wms.items (sku, description, category, unit_weight_lbs) VALUES ($1, 'milk', 'dairy', 9.125)", [.text("SKU-\(tag)")])
            try warehouse.execute("UPDATE wms.items SET description = 'whole milk' WHERE sku = $1", [.text("SKU-\(tag)")])
            // A key change (default identity): Debezium's delete of the old key, its tombstone, a create.
            try warehouse.execute("UPDATE wms.items SET sku = $2 WHERE sku = $1", [.text("SKU-\(tag)"), .text("SKU2-\(tag)")])
            let txn = try warehouse.execute("""
                INSERT INTO wms.inventory_transactions (txn_type, sku, location_id, quantity_cases, occurred_at)
                VALUES ('receipt', $1, 'OAK-MAIN', 10.50, '2026-03-08 01:30:00-08') RETURNING txn_id
                """, [.text("SKU-\(tag)")]).scalar!
            try warehouse.execute("UPDATE wms.inventory_transactions SET quantity_cases = 12 WHERE txn_id = $1", [.text(txn)])
            try warehouse.execute("DELETE FROM wms.inventory_transactions WHERE txn_id = $1", [.text(txn)])

            let agency = try run.source("agency")
            try agency.execute("INSERT INTO agency.orders (order_id, agency_id, requested_for, status) VALUES ($1, 'AG-1', '2026-11-23', 'submitted')", [.text("O-\(tag)")])
            try agency.execute("INSERT INTO agency.order_lines VALUES ($1, 1, 'SKU-1', 4.25)", [.text("O-\(tag)")])
            try agency.execute("UPDATE agency.orders SET status = 'approved' WHERE order_id = $1", [.text("O-\(tag)")])
            try agency.execute("DELETE FROM agency.order_lines WHERE order_id = $1", [.text("O-\(tag)")])
            let donations = try run.source("donations")
            try donations.execute("INSERT INTO intake.donations (donation_id, donor_id, location_id, received_at) VALUES ($1, 'D-1', 'OAK-MAIN', now())", [.text("R-\(tag)")])
            try donations.execute("UPDATE intake.donations SET status = 'voided' WHERE donation_id = $1", [.text("R-\(tag)")])
            try donations.execute("""
                INSERT INTO intake.donation_lines (intake_id, line_no, sku, quantity_cases, weight_lbs)
                SELECT intake_id, 1, 'SKU-1', 3.5, 42.00 FROM intake.donations WHERE donation_id = $1
                """, [.text("R-\(tag)")])
            try donations.execute("DELETE FROM intake.donation_lines WHERE intake_id = (SELECT intake_id FROM intake.donations WHERE donation_id = $1)",
                                  [.text("R-\(tag)")])
            let fulfillment = try run.source("fulfillment")
            try fulfillment.execute("INSERT INTO pick.shipments VALUES ($1, $2, 'OAK-MAIN', now(), 'shipped', now())", [.text("S-\(tag)"), .text("O-\(tag)")])
            try fulfillment.execute("UPDATE pick.shipments SET status = 'delivered' WHERE shipment_id = $1", [.text("S-\(tag)")])
            try fulfillment.execute("DELETE FROM pick.shipments WHERE shipment_id = $1", [.text("S-\(tag)")])

            // wms.items: the snapshot row, then create and update (default identity: no before), then the
            // key change: delete (NOT NULL columns with Debezium's fallbacks), tombstone, create.
            let itemEvents = try events(try run.read(run.topic("warehouse", "wms.items")) { messages in
                messages.filter { String(decoding: $0.key ?? [], as: UTF8.self).contains(tag) }.count >= 6
            }).filter { $0.key["sku"]?.stringValue?.contains(tag) == true }
            let snapshotRow = itemEvents.first { $0.key["sku"] == .string("SNAP-\(tag)") }
            #expect(snapshotRow?.op == "r")
            #expect(snapshotRow?.value?["source"]?["snapshot"] != .string("false") && snapshotRow?.value?["source"]?["ts_us"] != nil)
            let item = itemEvents.filter { $0.key["sku"] == .string("SKU-\(tag)") }
            #expect(item.map { $0.op ?? "tombstone" } == ["c", "u", "d", "tombstone"])
            let itemAt = { (index: Int) in item.indices.contains(index) ? item[index] : nil }
            #expect(itemAt(1)?.value?["after"]?["description"] == .string("whole milk"))
            #expect(itemAt(1)?.value?["before"] == .null)
            #expect(itemAt(2)?.value?["before"]?["description"] == .string("") && itemAt(2)?.value?["before"]?["perishable"] == .bool(false))
            let rekeyed = itemEvents.filter { $0.key["sku"] == .string("SKU2-\(tag)") }
            #expect(rekeyed.map(\.op) == ["c"] && rekeyed.first?.value?["after"]?["description"] == .string("whole milk"))
            #expect(rekeyed.first?.value?["source"]?["lsn"] == itemAt(2)?.value?["source"]?["lsn"], "one change, one position")
            #expect(item.first?.value?["after"]?["unit_weight_lbs"] == .string("9.125"))
            #expect(item.first?.value?["source"]?["table"] == .string("items"))
            #expect(item.first?.value?["source"]?["db"] == .string("warehouse"))

            // wms.inventory_transactions (REPLICA IDENTITY FULL): c, u with before, d, tombstone.
            let movement = try events(try run.read(run.topic("warehouse", "wms.inventory_transactions")) { messages in
                messages.filter { String(decoding: $0.key ?? [], as: UTF8.self) == "{\"txn_id\":\(txn)}" }.count >= 4
            }).filter { $0.key == .object(["txn_id": .int(Int64(txn)!)]) }
            #expect(movement.map { $0.op ?? "tombstone" } == ["c", "u", "d", "tombstone"])
            try #require(movement.count == 4)
            #expect(movement[1].value?["before"]?["quantity_cases"] == .string("10.50"))
            #expect(movement[1].value?["after"]?["quantity_cases"] == .string("12.00"))
            #expect(movement[0].value?["after"]?["occurred_at"] == .string("2026-03-08T09:30:00.000000Z"))
            #expect(movement[2].value?["after"] == .null)
            #expect(movement[2].value?["before"]?["sku"] == .string("SKU-\(tag)"))

            // The other three systems, each to its own topic, keyed by its primary key: insert,
            // update (with the old row: REPLICA IDENTITY FULL) and delete with its tombstone.
            func history(_ database: String, _ table: String, key: JSONValue, count: Int) throws -> [Event] {
                let wanted = key.encoded()
                return try events(try run.read(run.topic(database, table)) { m in m.filter { $0.key == wanted }.count >= count })
                    .filter { $0.key == key }
            }
            let order = try history("agency", "agency.orders", key: .object(["order_id": .string("O-\(tag)")]), count: 2)
            #expect(order.map(\.op) == ["c", "u"])
            #expect(order.first?.value?["after"]?["requested_for"] == .int(20780), "a date is days since 1970-01-01")
            #expect(order.last?.value?["before"]?["status"] == .string("submitted"))
            #expect(order.last?.value?["after"]?["status"] == .string("approved"))
            let line = try history("agency", "agency.order_lines", key: .object(["order_id": .string("O-\(tag)"), "line_no": .int(1)]), count: 3)
            #expect(line.map { $0.op ?? "tombstone" } == ["c", "d", "tombstone"])
            #expect(line.first?.value?["after"]?["quantity_cases_requested"] == .string("4.25"))
            #expect(line.dropFirst().first?.value?["before"]?["quantity_cases_requested"] == .string("4.25"))
            let intakeID = try donations.execute("SELECT intake_id FROM intake.donations WHERE donation_id = $1", [.text("R-\(tag)")]).scalar!
            let donation = try history("donations", "intake.donations", key: .object(["intake_id": .int(Int64(intakeID)!)]), count: 2)
            #expect(donation.map(\.op) == ["c", "u"])
            #expect(donation.last?.value?["before"]?["status"] == .string("received"))
            #expect(donation.last?.value?["after"]?["status"] == .string("voided"))
            let donationLine = try history("donations", "intake.donation_lines", key: .object(["intake_id": .int(Int64(intakeID)!), "line_no": .int(1)]), count: 3)
            #expect(donationLine.map { $0.op ?? "tombstone" } == ["c", "d", "tombstone"])
            #expect(donationLine.dropFirst().first?.value?["before"]?["weight_lbs"] == .string("42.00"))
            let shipment = try history("fulfillment", "pick.shipments", key: .object(["shipment_id": .string("S-\(tag)")]), count: 4)
            #expect(shipment.map { $0.op ?? "tombstone" } == ["c", "u", "d", "tombstone"])
            #expect(shipment.first?.value?["after"]?["order_id"] == .string("O-\(tag)"))
            #expect(shipment.dropFirst(2).first?.value?["before"]?["status"] == .string("delivered"))
            #expect(cdc.isRunning, "cdc died:\n\(cdc.logTail)")
        }

        @Test func cdcKilledMidStreamLosesNoChange() throws {
            let run = Run()
            try run.createTopics()
            defer { run.dropSlots() }
            let warehouse = try run.source("warehouse")
            var cdc = try run.start()
            try run.waitUntilCapturing(cdc)
            let transactions = 30, perTransaction = 50
            for t in 0..<transactions {
                _ = try warehouse.transaction { db in
                    try db.insertRows(into: "wms.inventory_transactions", columns: ["txn_type", "sku", "location_id", "quantity_cases", "occurred_at"],
                                      rows: (0..<perTransaction).map { _ in [.text("receipt"), .text("K-\(run.tag)"), .text("OAK-MAIN"), .text("1.00"), .text("2026-11-01 10:00:00+00")] })
                }
                if t % 8 == 7 {
                    Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.6))
                    cdc.crash()
                    cdc = try run.start()
                }
            }
            defer { cdc.terminate() }
            let expected = Set(try warehouse.execute("SELECT txn_id FROM wms.inventory_transactions WHERE sku = $1", [.text("K-\(run.tag)")]).rows.compactMap { $0[0] })
            #expect(expected.count == transactions * perTransaction)
            let created = { (messages: [KafkaMessage]) -> Set<String> in
                Set(messages.compactMap { m -> String? in
                    guard let value = try? JSONValue.parse(m.value ?? []), value["after"]?["sku"] == .string("K-\(run.tag)") else { return nil }
                    return value["after"]?["txn_id"]?.intValue.map { String($0) }
                })
            }
            let messages = try run.read(run.topic("warehouse", "wms.inventory_transactions"), timeout: .seconds(120)) { created($0).isSuperset(of: expected) }
            let seen = created(messages)
            #expect(seen.isSuperset(of: expected), "missing \(expected.subtracting(seen).count) of \(expected.count) changes\n\(cdc.logTail)")
            let ours = messages.filter { (try? JSONValue.parse($0.value ?? []))?["after"]?["sku"] == .string("K-\(run.tag)") }.count
            print("cdc crash test: \(expected.count) changes, \(ours) events for them (re-sent after kills: \(ours - expected.count))")
        }
    }
}
