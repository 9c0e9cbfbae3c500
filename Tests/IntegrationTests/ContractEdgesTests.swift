import FoodbankHistories
import FoodbankOracle
import FoodbankPostgres
import FoodbankStreaming
import Foundation
import Testing

extension Integration {
    /// The nine edges a new user found (issue 12), and a re-snapshot, each through the whole chain
    /// with rows and files written by hand from the contract's words. Each test checks the curated
    /// rows it expects, worked out from the contract, and `foodbank-ctl verify` against the oracle.
    /// Dates are Pacific business days; numbers are read with `trim_scale`, so 7.00 reads "7".
    @Suite struct ContractEdges {
        typealias Edge = ContractEdgeRun

        /// Runs one edge: its phases, then the oracle's verdict. `check` reads the curated tables.
        func run(_ name: String, instances: Int = 1, lateData: Bool = false, phases: [[(note: String, action: SourceAction)]],
                 check: (ContractEdgeRun) throws -> Void) throws {
            let edge = try ContractEdgeRun(name, instances: instances, lateData: lateData)
            defer { edge.cleanUp() }
            try edge.start()
            for phase in phases { try edge.phase(phase) }
            let differences = try edge.differences()
            #expect(differences.isEmpty, "\(differences.count) differences from the oracle:\n\(differences.prefix(20).joined(separator: "\n"))\n\(edge.report)")
            try check(edge)
            let stopped = edge.run.processes.values.joined().filter { !$0.isRunning }.map { "\($0.name):\n\($0.logTail)" }
            #expect(stopped.isEmpty, "a stage stopped:\n\(stopped.joined(separator: "\n"))")
        }

        static let onHand = "SELECT sku, location_id, lot_code, trim_scale(on_hand_cases)::text, trim_scale(on_hand_lbs)::text FROM ops.inventory_on_hand ORDER BY 1, 2, 3"
        /// The latest version of each day's finance rows of a table (its `_latest` view: the day's
        /// newest version in `finance.snapshot_versions`, which may hold none of the table's rows).
        static func latest(_ table: String, _ columns: String) -> String {
            "SELECT business_date::text, \(columns) FROM \(table)_latest ORDER BY 1, 2, 3"
        }
        static let exceptions = latest("finance.reconciliation_exceptions",
                                       "kind, location_id, reference_id, trim_scale(expected_cases)::text, trim_scale(actual_cases)::text, trim_scale(delta_cases)::text")
        static let openFindings = "SELECT check_name, entity_key FROM ops.dq_violations WHERE resolved_at IS NULL ORDER BY 1, 2"

        // 1. Two changes to one row in one source transaction: each is a version, the later counts.
        @Test func twoChangesToOneRowInOneTransactionCountTheLaterOnly() throws {
            try run("two changes in one transaction", phases: [[
                Edge.sql("warehouse", "a receipt inserted, then corrected, in one transaction",
                         "INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, quantity_cases, reference_type, reference_id, occurred_at) VALUES (1, 'receipt', 'S1', 'OAK-MAIN', 5, 'donation', 'D1', '2026-11-16 10:00:00.123456 America/Los_Angeles')",
                         "UPDATE wms.inventory_transactions SET quantity_cases = 7 WHERE txn_id = 1"),
                Edge.sql("donations", "an intake inserted, then moved to another location, in one transaction",
                         "INSERT INTO intake.donations (intake_id, donation_id, donor_id, location_id, received_at) VALUES (1, 'D1', 'DN1', 'OAK-MAIN', '2026-11-16 09:00 America/Los_Angeles')",
                         "INSERT INTO intake.donation_lines (intake_id, line_no, sku, quantity_cases, weight_lbs, fair_market_value_usd) VALUES (1, 1, 'S1', 6, 60, 30)",
                         "UPDATE intake.donations SET location_id = 'OAK-COLD' WHERE intake_id = 1"),
            ]]) { (edge: ContractEdgeRun) throws in
                try edge.expectRows(Self.onHand, ["S1|OAK-MAIN||7|70"])
                // The source's microseconds, kept.
                try edge.expectRows("SELECT to_char(last_movement_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM ops.inventory_on_hand", ["2026-11-16 18:00:00.123456"])
                try edge.expectRows(Self.latest("finance.daily_inventory", "sku, location_id, trim_scale(opening_cases)::text, trim_scale(receipts_cases)::text, trim_scale(closing_cases)::text, trim_scale(closing_lbs)::text"),
                        ["2026-11-16|S1|OAK-MAIN|0|7|7|70", "2026-11-17|S1|OAK-MAIN|7|0|7|70"])
                try edge.expectRows(Self.latest("finance.daily_donations", "location_id, donor_type, donations::text, trim_scale(cases)::text, trim_scale(lbs)::text, trim_scale(fair_market_value_usd)::text"),
                        ["2026-11-16|OAK-COLD|farm|1|6|60|30"])
                // The intake's cases (6, at its new location) against the receipt's (7).
                try edge.expectRows(Self.exceptions, ["2026-11-16|donation_vs_receipt|OAK-COLD|D1|6|7|1"])
            }
        }

        // 2. The same movement, or the same adjustment, in two differently named files counts once.
        @Test func aMovementResentInAnotherFileCountsOnceWithItsLatestDelivery() throws {
            try run("resent in another file", phases: [[
                Edge.sql("warehouse", "a receipt of 10 S2 at OAK-MAIN",
                         "INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, quantity_cases, occurred_at) VALUES (1, 'receipt', 'S2', 'OAK-MAIN', 10, '2026-11-16 08:00 America/Los_Angeles')"),
                Edge.upload(.legacyWMS, "movements_HAY-SAT_202611161200.csv",
                            "movement_id,movement_type,sku,site_code,lot,cases,lbs,occurred_at,reference",
                            "HAY-000001,RECEIPT,S1,HAY-SAT,,4,,11/16/2026 10:00,",
                            "HAY-000002,RECEIPT,S2,HAY-SAT,,1,,11/16/2026 10:05,",
                            "TRAILER,2"),
            ], [
                // Delivered after the first file: its version of HAY-000001 is the latest.
                Edge.upload(.legacyWMS, "movements_HAY-SAT_202611161300.csv",
                            "movement_id,movement_type,sku,site_code,lot,cases,lbs,occurred_at,reference",
                            "HAY-000001,RECEIPT,S1,HAY-SAT,,6,,11/16/2026 10:00,",
                            "TRAILER,1"),
                Edge.upload(.adjustments, "adjustments_20261116_1.csv",
                            "adjustment_id,sku,location_id,lot_code,delta_cases,reason,approved_by,effective_date,notes",
                            "ADJ-1,S2,OAK-MAIN,,-2,DAMAGE,Pat Lee,2026-11-16,\"dropped, pallet 3\"",
                            "TRAILER,1"),
                Edge.upload(.adjustments, "adjustments_20261116_2.csv",
                            "adjustment_id,sku,location_id,lot_code,delta_cases,reason,approved_by,effective_date,notes",
                            "ADJ-1,S2,OAK-MAIN,,-2,DAMAGE,Pat Lee,2026-11-16,\"dropped, pallet 3\"",
                            "TRAILER,1"),
            ]]) { (edge: ContractEdgeRun) throws in
                // S2 at OAK-MAIN: 10 received, 2 removed once: 8 cases, 8 × 2.5 lbs.
                try edge.expectRows(Self.onHand, ["S1|HAY-SAT||6|60", "S2|HAY-SAT||1|2.5", "S2|OAK-MAIN||8|20"])
                try edge.expectRows(Self.latest("finance.daily_inventory", "sku, location_id, trim_scale(receipts_cases)::text, trim_scale(adjustments_cases)::text, trim_scale(closing_cases)::text"),
                        ["2026-11-16|S1|HAY-SAT|6|0|6", "2026-11-16|S2|HAY-SAT|1|0|1", "2026-11-16|S2|OAK-MAIN|10|-2|8",
                         "2026-11-17|S1|HAY-SAT|0|0|6", "2026-11-17|S2|HAY-SAT|0|0|1", "2026-11-17|S2|OAK-MAIN|0|0|8"])
            }
        }

        // 2b. A feed row in two live files names only its latest file's sku (decision 22), and its
        // earlier file's again once the later one stops holding it. Found by the review.
        @Test func aFeedRowInTwoFilesNamesOnlyTheCountedSku() throws {
            let header = "movement_id,movement_type,sku,site_code,lot,cases,lbs,occurred_at,reference"
            try run("one row, two files, two skus", phases: [[
                Edge.upload(.legacyWMS, "movements_HAY-SAT_202611161200.csv", header,
                            "HAY-000001,RECEIPT,U7,HAY-SAT,,4,,11/16/2026 10:00,", "HAY-000002,RECEIPT,S2,HAY-SAT,,1,,11/16/2026 10:05,", "TRAILER,2"),
            ], [
                Edge.upload(.legacyWMS, "movements_HAY-SAT_202611161300.csv", header,
                            "HAY-000001,RECEIPT,S1,HAY-SAT,,4,,11/16/2026 10:00,", "TRAILER,1"),
            ]]) { (edge: ContractEdgeRun) throws in
                try edge.expectRows(Self.openFindings, [])
                try edge.expectRows("SELECT check_name, entity_key, (resolved_at IS NOT NULL)::text FROM ops.dq_violations ORDER BY 1, 2", ["missing_sku|U7|true"])
                try edge.expectRows(Self.onHand, ["S1|HAY-SAT||4|40", "S2|HAY-SAT||1|2.5", "U7|HAY-SAT||0|0"])
            }
            try run("one row, two files, the later one corrected", phases: [[
                Edge.upload(.legacyWMS, "movements_HAY-SAT_202611161200.csv", header,
                            "HAY-000001,RECEIPT,U7,HAY-SAT,,4,,11/16/2026 10:00,", "HAY-000002,RECEIPT,S2,HAY-SAT,,1,,11/16/2026 10:05,", "TRAILER,2"),
                Edge.upload(.legacyWMS, "movements_HAY-SAT_202611161300.csv", header,
                            "HAY-000001,RECEIPT,S1,HAY-SAT,,4,,11/16/2026 10:00,", "TRAILER,1"),
            ], [
                Edge.upload(.legacyWMS, "movements_HAY-SAT_202611161300.csv", header,
                            "HAY-000003,RECEIPT,S2,HAY-SAT,,2,,11/16/2026 11:00,", "TRAILER,1"),
            ]]) { (edge: ContractEdgeRun) throws in
                // The 13:00 file no longer holds HAY-000001: the 12:00 file's version counts again.
                try edge.expectRows(Self.openFindings, ["missing_sku|U7"])
                try edge.expectRows(Self.onHand, ["S1|HAY-SAT||0|0", "S2|HAY-SAT||3|7.5", "U7|HAY-SAT||4|0"])
            }
        }

        // 3. A correction to an unreadable value: dead-lettered, and the old version stops counting.
        @Test func aCorrectionToAnUnreadableValueStopsTheOldValueCounting() throws {
            try run("unreadable correction", lateData: true, phases: [[
                Edge.sql("warehouse", "a receipt of 5",
                         "INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, quantity_cases, occurred_at) VALUES (1, 'receipt', 'S1', 'OAK-MAIN', 5, '2026-11-16 10:00 America/Los_Angeles')"),
            ], [
                Edge.sql("warehouse", "the receipt corrected to 0 cases (a receipt's cases must be positive)",
                         "UPDATE wms.inventory_transactions SET quantity_cases = 0 WHERE txn_id = 1"),
            ]]) { (edge: ContractEdgeRun) throws in
                try edge.expectRows(Self.onHand, ["S1|OAK-MAIN||0|0"])
                // Version 1 of both days stays as finalized; version 2 holds no row: nothing moved.
                try edge.expectRows("SELECT business_date::text, snapshot_version::text, trim_scale(receipts_cases)::text, trim_scale(closing_cases)::text FROM finance.daily_inventory ORDER BY 1, 2",
                                    ["2026-11-16|1|5|5", "2026-11-17|1|0|5"])
                try edge.expectRows("SELECT business_date::text, max(snapshot_version)::text FROM finance.snapshot_versions GROUP BY 1 ORDER BY 1",
                                    ["2026-11-16|2", "2026-11-17|2"])
                try edge.expectRows(Self.latest("finance.daily_inventory", "sku, location_id"), [])
                let reasons = try edge.deadLetterReasons("foodbank.dlq.normalize", atLeast: 1)
                #expect(reasons.count == 1 && reasons.allSatisfy { $0.contains("quantity_cases") }, "\(reasons)")
            }
        }

        // 4. A shipment picked but not shipped counts nowhere; the shipped one still does.
        @Test func aShipmentWithoutShippedAtCountsInNeitherFulfillmentNorReconciliation() throws {
            try run("picked, not shipped", phases: [[
                Edge.sql("agency", "an order of 10 S1",
                         "INSERT INTO agency.orders (order_id, agency_id, requested_for, status) VALUES ('O1', 'A1', '2026-11-16', 'approved')",
                         "INSERT INTO agency.order_lines (order_id, line_no, sku, quantity_cases_requested) VALUES ('O1', 1, 'S1', 10)"),
                Edge.sql("fulfillment", "a shipped shipment of 8, one picked of 2, one marked shipped of 1 without shipped_at",
                         "INSERT INTO pick.shipments (shipment_id, order_id, location_id, shipped_at, status) VALUES ('SH1', 'O1', 'OAK-MAIN', '2026-11-16 11:00 America/Los_Angeles', 'shipped'), ('SH2', 'O1', 'OAK-MAIN', NULL, 'picked'), ('SH3', 'O1', 'OAK-MAIN', NULL, 'shipped')",
                         "INSERT INTO pick.shipment_lines (shipment_id, line_no, order_line_no, sku, quantity_cases) VALUES ('SH1', 1, 1, 'S1', 8), ('SH2', 1, 1, 'S1', 2), ('SH3', 1, 1, 'S1', 1)"),
                Edge.sql("warehouse", "a receipt of 20 and a distribution of 9 for the order",
                         "INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, quantity_cases, occurred_at) VALUES (1, 'receipt', 'S1', 'OAK-MAIN', 20, '2026-11-16 07:00 America/Los_Angeles')",
                         "INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, quantity_cases, reference_type, reference_id, occurred_at) VALUES (2, 'distribution', 'S1', 'OAK-MAIN', 9, 'agency_order', 'O1', '2026-11-16 12:00 America/Los_Angeles')"),
            ]]) { (edge: ContractEdgeRun) throws in
                try edge.expectRows(Self.latest("finance.daily_fulfillment", "agency_id, orders::text, trim_scale(cases_requested)::text, trim_scale(cases_shipped)::text, round(fill_rate, 4)::text"),
                        ["2026-11-16|A1|1|10|8|0.8000"])
                try edge.expectRows(Self.exceptions, ["2026-11-16|shipment_vs_distribution|OAK-MAIN|O1|8|9|1"])
            }
        }

        // 5. An item deleted from the master: missing_sku opens, derived pounds become 0, a new version.
        @Test func anItemDeletedFromTheMasterIsUnknownAgain() throws {
            try run("item deleted", lateData: true, phases: [[
                Edge.sql("warehouse", "a receipt of 4 S2 without a weight (2.5 lbs a case)",
                         "INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, quantity_cases, occurred_at) VALUES (1, 'receipt', 'S2', 'OAK-MAIN', 4, '2026-11-16 10:00 America/Los_Angeles')"),
            ], [
                Edge.sql("warehouse", "S2 deleted from the item master", "DELETE FROM wms.items WHERE sku = 'S2'"),
            ]]) { (edge: ContractEdgeRun) throws in
                try edge.expectRows(Self.onHand, ["S2|OAK-MAIN||4|0"])
                try edge.expectRows(Self.openFindings, ["missing_sku|S2"])
                try edge.expectRows("SELECT snapshot_version::text, trim_scale(closing_lbs)::text FROM finance.daily_inventory WHERE business_date = '2026-11-16' AND sku = 'S2' ORDER BY 1",
                        ["1|10", "2|0"])
            }
        }

        // 6. A site code with a hyphen is a feed-5 file; a name that fits no feed is quarantined.
        @Test func aHyphenatedSiteIsReadAndAnUnfitNameIsQuarantined() throws {
            try run("hyphen in a site code", phases: [[
                Edge.upload(.legacyWMS, "movements_HAY-SAT_202611161200.csv",
                            "movement_id,movement_type,sku,site_code,lot,cases,lbs,occurred_at,reference",
                            "HAY-000001,RECEIPT,S1,HAY-SAT,L7,3,,11/16/2026 10:00,",
                            "TRAILER,1"),
                Edge.upload(.legacyWMS, "movements_HAY-SAT_20261116.csv",
                            "movement_id,movement_type,sku,site_code,lot,cases,lbs,occurred_at,reference",
                            "HAY-000002,RECEIPT,S1,HAY-SAT,,9,,11/16/2026 10:00,",
                            "TRAILER,1"),
                Edge.upload(.adjustments, "adjustment_20261116_1.csv",
                            "adjustment_id,sku,location_id,lot_code,delta_cases,reason,approved_by,effective_date,notes",
                            "ADJ-9,S1,HAY-SAT,,-1,DAMAGE,Pat Lee,2026-11-16,",
                            "TRAILER,1"),
            ]]) { (edge: ContractEdgeRun) throws in
                try edge.expectRows(Self.onHand, ["S1|HAY-SAT|L7|3|30"])
                try edge.expectRows("SELECT file_name, status FROM platform.file_manifest ORDER BY file_name COLLATE \"C\"",
                        ["adjustment_20261116_1.csv|quarantined", "movements_HAY-SAT_20261116.csv|quarantined", "movements_HAY-SAT_202611161200.csv|published"])
                let reasons = try edge.deadLetterReasons("foodbank.dlq.sftp_watcher", atLeast: 2)
                #expect(reasons.count == 2 && reasons.allSatisfy { $0.contains("name") }, "\(reasons)")
            }
        }

        // 7. Receipts and distributions without a witness are rows with expected 0, until it arrives.
        @Test func movementsWithoutAWitnessAreExceptionsThatMoveWhenItArrives() throws {
            try run("no witness", lateData: true, phases: [[
                Edge.sql("warehouse", "receipts for D7 on two days, a distribution for O7; no intake, no shipment",
                         "INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, quantity_cases, reference_type, reference_id, occurred_at) VALUES (1, 'receipt', 'S1', 'OAK-COLD', 3, 'donation', 'D7', '2026-11-17 08:00 America/Los_Angeles'), (2, 'receipt', 'S1', 'OAK-MAIN', 5, 'donation', 'D7', '2026-11-16 10:00 America/Los_Angeles'), (3, 'distribution', 'S1', 'OAK-MAIN', 2, 'agency_order', 'O7', '2026-11-16 12:00 America/Los_Angeles')"),
                Edge.upload(.legacyWMS, "movements_RICH_202611161500.csv",
                            "movement_id,movement_type,sku,site_code,lot,cases,lbs,occurred_at,reference",
                            "RICH-1,DISTRIBUTION,S1,RICH,,1,,11/16/2026 14:00,O8",
                            "TRAILER,1"),
            ], [
                Edge.sql("donations", "D7's intake arrives: 6 cases at RICH on the 17th",
                         "INSERT INTO intake.donations (intake_id, donation_id, donor_id, location_id, received_at) VALUES (1, 'D7', 'DN1', 'RICH', '2026-11-17 09:00 America/Los_Angeles')",
                         "INSERT INTO intake.donation_lines (intake_id, line_no, sku, quantity_cases, weight_lbs) VALUES (1, 1, 'S1', 6, 60)"),
            ]]) { (edge: ContractEdgeRun) throws in
                // Before the intake, D7 was dated and located by its earliest receipt.
                try edge.expectRows("SELECT snapshot_version::text, location_id, trim_scale(expected_cases)::text, trim_scale(actual_cases)::text FROM finance.reconciliation_exceptions WHERE reference_id = 'D7' ORDER BY business_date, 1",
                        ["1|OAK-MAIN|0|8", "2|RICH|6|8"])
                try edge.expectRows(Self.exceptions, [
                    "2026-11-16|shipment_vs_distribution|OAK-MAIN|O7|0|2|2", "2026-11-16|shipment_vs_distribution|RICH|O8|0|1|1",
                    "2026-11-17|donation_vs_receipt|RICH|D7|6|8|2",
                ])
            }
        }

        // 8. Records whose key is corrected count under the new key only (five intakes, one shipment).
        @Test func aRecordMovedToAnotherKeyCountsUnderItsNewKey() throws {
            let intakes = (1...10).map { id in
                "INSERT INTO intake.donations (intake_id, donation_id, donor_id, location_id, received_at) VALUES (\(id), 'D\((id - 1) % 5 + 1)', 'DN1', 'OAK-MAIN', '2026-11-16 09:00 America/Los_Angeles')"
            } + (1...10).map { id in
                "INSERT INTO intake.donation_lines (intake_id, line_no, sku, quantity_cases, weight_lbs) VALUES (\(id), 1, 'S2', \(id), \(id * 2))"
            }
            try run("key changes", phases: [[
                ("ten intakes, five receipt numbers keyed twice", .transaction(database: "donations", statements: intakes.map { .init(sql: $0) })),
                Edge.sql("agency", "an order of 4 S1",
                         "INSERT INTO agency.orders (order_id, agency_id, requested_for, status) VALUES ('O1', 'A1', '2026-11-16', 'approved')",
                         "INSERT INTO agency.order_lines (order_id, line_no, sku, quantity_cases_requested) VALUES ('O1', 1, 'S1', 4)"),
                Edge.sql("fulfillment", "its shipment, keyed to the wrong order",
                         "INSERT INTO pick.shipments (shipment_id, order_id, location_id, shipped_at, status) VALUES ('SH1', 'O9', 'OAK-MAIN', '2026-11-16 11:00 America/Los_Angeles', 'shipped')",
                         "INSERT INTO pick.shipment_lines (shipment_id, line_no, order_line_no, sku, quantity_cases) VALUES ('SH1', 1, 1, 'S1', 4)"),
            ], (1...5).map { id in
                Edge.sql("donations", "intake \(id)'s receipt number corrected to D1\(id)", "UPDATE intake.donations SET donation_id = 'D1\(id)' WHERE intake_id = \(id)")
            } + [
                Edge.sql("fulfillment", "the shipment's order corrected", "UPDATE pick.shipments SET order_id = 'O1' WHERE shipment_id = 'SH1'"),
            ]]) { (edge: ContractEdgeRun) throws in
                // Ten distinct receipt numbers now, 1 + 2 + … + 10 cases.
                try edge.expectRows(Self.latest("finance.daily_donations", "location_id, donor_type, donations::text, trim_scale(cases)::text, trim_scale(lbs)::text"),
                        ["2026-11-16|OAK-MAIN|farm|10|55|110"])
                try edge.expectRows(Self.latest("finance.daily_fulfillment", "agency_id, orders::text, trim_scale(cases_requested)::text, trim_scale(cases_shipped)::text"),
                        ["2026-11-16|A1|1|4|4"])
                try edge.expectRows("SELECT count(*)::text, count(resolved_at)::text FROM ops.dq_violations WHERE check_name = 'duplicate_donation_id'", ["5|5"])
            }
        }

        // 9. Two instances in every group find what one finds: shipments naming a missing order line.
        @Test func twoInstancesOpenTheOrphansOneInstanceOpens() throws {
            try run("two instances, orphans", instances: 2, phases: [[
                Edge.sql("agency", "an order with one line",
                         "INSERT INTO agency.orders (order_id, agency_id, requested_for, status) VALUES ('O1', 'A1', '2026-11-16', 'approved')",
                         "INSERT INTO agency.order_lines (order_id, line_no, sku, quantity_cases_requested) VALUES ('O1', 1, 'S1', 5)"),
                Edge.sql("fulfillment", "SH1 names O1's line 1 and a line 4 it lacks; SH2 names O9, which never arrives; SH3 is in order",
                         "INSERT INTO pick.shipments (shipment_id, order_id, location_id, shipped_at, status) VALUES ('SH1', 'O1', 'OAK-MAIN', '2026-11-16 11:00 America/Los_Angeles', 'shipped'), ('SH2', 'O9', 'OAK-MAIN', '2026-11-16 11:30 America/Los_Angeles', 'shipped'), ('SH3', 'O1', 'OAK-MAIN', '2026-11-16 12:00 America/Los_Angeles', 'shipped')",
                         "INSERT INTO pick.shipment_lines (shipment_id, line_no, order_line_no, sku, quantity_cases) VALUES ('SH1', 1, 1, 'S1', 3), ('SH1', 2, 4, 'S1', 2), ('SH2', 1, 1, 'S1', 1), ('SH3', 1, 1, 'S1', 1)"),
            ]]) { (edge: ContractEdgeRun) throws in
                try edge.expectRows(Self.openFindings, ["orphaned_fulfillment|SH1", "orphaned_fulfillment|SH2"])
            }
        }

        // Found by a review of the contract beside the code: empty text where a value may be absent.
        @Test func emptyReferencesAndLotsAreNoValue() throws {
            try run("empty text", phases: [[
                Edge.sql("warehouse", "a receipt typed as a donation's with an empty reference_id",
                         "INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, lot_code, quantity_cases, reference_type, reference_id, occurred_at) VALUES (1, 'receipt', 'S1', 'OAK-MAIN', '', 4, 'donation', '', '2026-11-16 10:00 America/Los_Angeles')"),
                Edge.sql("donations", "an intake whose line has an empty lot_code",
                         "INSERT INTO intake.donations (intake_id, donation_id, donor_id, location_id, received_at) VALUES (1, 'D1', 'DN1', 'OAK-MAIN', '2026-11-16 09:00 America/Los_Angeles')",
                         "INSERT INTO intake.donation_lines (intake_id, line_no, sku, quantity_cases, weight_lbs, lot_code) VALUES (1, 1, 'S1', 3, 30, '')"),
            ]]) { (edge: ContractEdgeRun) throws in
                try edge.expectRows(Self.onHand, ["S1|OAK-MAIN||4|40"])
                try edge.expectRows(Self.latest("finance.daily_donations", "location_id, donations::text, trim_scale(cases)::text"), ["2026-11-16|OAK-MAIN|1|3"])
                // D1's intake has no receipt naming it; the receipt names no donation.
                try edge.expectRows(Self.exceptions, ["2026-11-16|donation_vs_receipt|OAK-MAIN|D1|3|0|-3"])
            }
        }

        // Late data that changes what an earlier finalized day counted while every record it
        // touches is dated later or not at all: nightly's own round (no backfill) must still give
        // the earlier day a new version. (A change dated on the day itself recomputes the whole day
        // and would hide these.) Found by the review of the contract beside the code.
        @Test func lateDataReachesEveryFinalizedDayItChanges() throws {
            try run("late data", lateData: true, phases: [[
                Edge.sql("warehouse", "4 S2 and 10 S9 (not in the master yet) received on the 16th, and 6 S1 for donation Y1",
                         "INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, quantity_cases, reference_type, reference_id, occurred_at) VALUES (1, 'receipt', 'S2', 'OAK-MAIN', 4, NULL, NULL, '2026-11-16 10:00 America/Los_Angeles'), (2, 'receipt', 'S9', 'OAK-MAIN', 10, NULL, NULL, '2026-11-16 10:30 America/Los_Angeles'), (3, 'receipt', 'S1', 'OAK-MAIN', 6, 'donation', 'Y1', '2026-11-16 11:00 America/Los_Angeles')"),
                Edge.sql("donations", "X1 keyed on the 16th (5 cases) and again on the 17th (3); X2 on the 16th (2); Y1's intake on the 17th (6)",
                         "INSERT INTO intake.donations (intake_id, donation_id, donor_id, location_id, received_at) VALUES (1, 'X1', 'DN1', 'OAK-MAIN', '2026-11-16 09:00 America/Los_Angeles'), (2, 'X1', 'DN1', 'OAK-MAIN', '2026-11-17 09:00 America/Los_Angeles'), (3, 'X2', 'DN1', 'OAK-MAIN', '2026-11-16 09:30 America/Los_Angeles'), (4, 'Y1', 'DN1', 'OAK-MAIN', '2026-11-17 08:00 America/Los_Angeles')",
                         "INSERT INTO intake.donation_lines (intake_id, line_no, sku, quantity_cases, weight_lbs) VALUES (1, 1, 'S1', 5, 50), (2, 1, 'S1', 3, 30), (3, 1, 'S1', 2, 20), (4, 1, 'S1', 6, 60)"),
                Edge.sql("agency", "an order of 4",
                         "INSERT INTO agency.orders (order_id, agency_id, requested_for, status) VALUES ('O1', 'A1', '2026-11-16', 'approved')",
                         "INSERT INTO agency.order_lines (order_id, line_no, sku, quantity_cases_requested) VALUES ('O1', 1, 'S1', 4)"),
                Edge.sql("fulfillment", "its shipment, shipped on the 16th",
                         "INSERT INTO pick.shipments (shipment_id, order_id, location_id, shipped_at, status) VALUES ('SH1', 'O1', 'OAK-MAIN', '2026-11-16 11:00 America/Los_Angeles', 'shipped')",
                         "INSERT INTO pick.shipment_lines (shipment_id, line_no, order_line_no, sku, quantity_cases) VALUES ('SH1', 1, 1, 'S1', 4)"),
            ], [
                Edge.sql("warehouse", "S9 enters the master at 2 lbs a case; S2 is reweighed to 4",
                         "INSERT INTO wms.items (sku, description, category, unit_weight_lbs) VALUES ('S9', 'oats', 'dry_goods', 2)",
                         "UPDATE wms.items SET unit_weight_lbs = 4 WHERE sku = 'S2'"),
                Edge.sql("donations", "the 17th's X1 voided (the 16th's counts again), the 17th's Y1 re-keyed Y2, the donor retyped",
                         "UPDATE intake.donations SET status = 'voided' WHERE intake_id = 2",
                         "UPDATE intake.donations SET donation_id = 'Y2' WHERE intake_id = 4",
                         "UPDATE intake.donors SET donor_type = 'grocery_rescue' WHERE donor_id = 'DN1'"),
                Edge.sql("fulfillment", "the shipment's shipped_at corrected to the 17th",
                         "UPDATE pick.shipments SET shipped_at = '2026-11-17 11:00 America/Los_Angeles' WHERE shipment_id = 'SH1'"),
            ]]) { (edge: ContractEdgeRun) throws in
                try edge.expectRows(Self.latest("finance.daily_inventory", "sku, trim_scale(opening_cases)::text, trim_scale(closing_cases)::text, trim_scale(closing_lbs)::text"),
                                    ["2026-11-16|S1|0|6|60", "2026-11-16|S2|0|4|16", "2026-11-16|S9|0|10|20",
                                     "2026-11-17|S1|6|6|60", "2026-11-17|S2|4|4|16", "2026-11-17|S9|10|10|20"])
                try edge.expectRows(Self.latest("finance.daily_donations", "location_id, donor_type, donations::text, trim_scale(cases)::text"),
                                    ["2026-11-16|OAK-MAIN|grocery_rescue|2|7", "2026-11-17|OAK-MAIN|grocery_rescue|1|6"])
                try edge.expectRows(Self.latest("finance.daily_fulfillment", "agency_id, orders::text, trim_scale(cases_shipped)::text"), ["2026-11-17|A1|1|4"])
                // Y1's receipt has no intake now: a row with expected 0 on the receipt's day.
                try edge.expectRows(Self.exceptions, [
                    "2026-11-16|donation_vs_receipt|OAK-MAIN|X1|5|0|-5", "2026-11-16|donation_vs_receipt|OAK-MAIN|X2|2|0|-2",
                    "2026-11-16|donation_vs_receipt|OAK-MAIN|Y1|0|6|6",
                    "2026-11-17|donation_vs_receipt|OAK-MAIN|Y2|6|0|-6", "2026-11-17|shipment_vs_distribution|OAK-MAIN|O1|4|0|-4",
                ])
                // Every day got its new versions (one or more, as the changes arrived) from nightly's
                // round, not from a backfill.
                try edge.expectRows("SELECT DISTINCT business_date::text, reason FROM finance.snapshot_versions ORDER BY 1, 2",
                                    ["2026-11-16|backfill", "2026-11-16|late data", "2026-11-17|backfill", "2026-11-17|late data"])
            }
        }

        /// A snapshot taken while the warehouse writes: every transaction is counted once, with its
        /// latest version, whether it committed before the slot's consistent point, after it, or was
        /// open across it (its changes written before the point, its commit after: the snapshot
        /// holds the row as it was, and the stream brings the transaction).
        @Test func aSnapshotTakenWhileTheWarehouseWritesCountsEveryTransaction() throws {
            let edge = try ContractEdgeRun("busy re-snapshot")
            defer { edge.cleanUp() }
            try edge.start()
            try edge.phase([Edge.sql("warehouse", "a receipt of 100 S1",
                                     "INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, quantity_cases, occurred_at) VALUES (1, 'receipt', 'S1', 'OAK-MAIN', 100, '2026-11-16 08:00 America/Los_Angeles')")])
            // Back to back, each transaction inserts a receipt of 1 case, corrects it to 2, and waits before it commits.
            let stop = StopSignal(), written = SharedCounter(), failed = SharedCounter()
            let url = try edge.run.deployment.url("warehouse")
            // Two writers, so that a transaction is nearly always open when the slot is taken.
            let writers = (1...2).map { writer in Thread {
                guard let db = try? PostgresConnection(url: url) else { return failed.add() }
                defer { db.close() }
                var id = 1000 * writer
                while !stop.isStopped {
                    id += 1
                    do {
                        try db.transaction { db in
                            try db.execute("""
                                INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, quantity_cases, occurred_at)
                                VALUES ($1, 'receipt', 'S1', 'OAK-MAIN', 1, '2026-11-16 09:00 America/Los_Angeles')
                                """, [.int(Int64(id))])
                            try db.execute("UPDATE wms.inventory_transactions SET quantity_cases = 2 WHERE txn_id = $1", [.int(Int64(id))])
                            try db.execute("SELECT pg_sleep(0.2)")
                        }
                        written.add()
                    } catch { return failed.add() }
                }
            } }
            writers.forEach { $0.start() }
            Thread.sleep(forTimeInterval: 1)
            try edge.run.resnapshot("warehouse", at: "while the warehouse writes", deleting: false, draining: false)
            Thread.sleep(forTimeInterval: 1)
            stop.stop()
            while writers.contains(where: \.isExecuting) { Thread.sleep(forTimeInterval: 0.05) }
            try edge.settle()
            let receipts = written.value
            print("busy re-snapshot: \(receipts) transactions written around the slot's creation")
            #expect(failed.value == 0, "a writer failed")
            #expect(receipts > 5, "the writer wrote only \(receipts) transactions")
            try edge.expectRows(Self.onHand, ["S1|OAK-MAIN||\(100 + 2 * receipts)|\(10 * (100 + 2 * receipts))"])
            let differences = try edge.differences()
            #expect(differences.isEmpty, "\(differences.count) differences from the oracle:\n\(differences.prefix(20).joined(separator: "\n"))\n\(edge.report)")
        }

        // 10. A source taken again (slot dropped, snapshot again) with nothing deleted changes nothing.
        @Test func aResnapshotOfEverySourceChangesNothing() throws {
            let edge = try ContractEdgeRun("re-snapshot")
            defer { edge.cleanUp() }
            try edge.start()
            try edge.phase([
                Edge.sql("warehouse", "a receipt and a distribution",
                         "INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, lot_code, quantity_cases, reference_type, reference_id, occurred_at) VALUES (1, 'receipt', 'S1', 'OAK-MAIN', 'L1', 12, 'donation', 'D1', '2026-11-16 10:00 America/Los_Angeles'), (2, 'distribution', 'S1', 'OAK-MAIN', 'L1', 3, 'agency_order', 'O1', '2026-11-16 12:00 America/Los_Angeles')",
                         "UPDATE wms.inventory_transactions SET quantity_cases = 4 WHERE txn_id = 2"),
                Edge.sql("donations", "an intake of 10",
                         "INSERT INTO intake.donations (intake_id, donation_id, donor_id, location_id, received_at) VALUES (1, 'D1', 'DN1', 'OAK-MAIN', '2026-11-16 09:00 America/Los_Angeles')",
                         "INSERT INTO intake.donation_lines (intake_id, line_no, sku, quantity_cases, weight_lbs, lot_code) VALUES (1, 1, 'S1', 10, 100, 'L1')"),
                Edge.sql("agency", "an order of 5",
                         "INSERT INTO agency.orders (order_id, agency_id, requested_for, status) VALUES ('O1', 'A1', '2026-11-16', 'approved')",
                         "INSERT INTO agency.order_lines (order_id, line_no, sku, quantity_cases_requested) VALUES ('O1', 1, 'S1', 5), ('O1', 2, 'U1', 1)"),
                Edge.sql("fulfillment", "its shipment of 3",
                         "INSERT INTO pick.shipments (shipment_id, order_id, location_id, shipped_at, status) VALUES ('SH1', 'O1', 'OAK-MAIN', '2026-11-16 11:00 America/Los_Angeles', 'shipped')",
                         "INSERT INTO pick.shipment_lines (shipment_id, line_no, order_line_no, sku, lot_code, quantity_cases) VALUES ('SH1', 1, 1, 'S1', 'L1', 3)"),
                Edge.upload(.legacyWMS, "movements_RICH_202611161500.csv",
                            "movement_id,movement_type,sku,site_code,lot,cases,lbs,occurred_at,reference",
                            "RICH-1,RECEIPT,S2,RICH,,2,,11/16/2026 14:00,",
                            "TRAILER,1"),
            ])
            let curated = [
                "SELECT h::text FROM (SELECT sku, location_id, lot_code, on_hand_cases, on_hand_lbs, last_movement_at FROM ops.inventory_on_hand) h ORDER BY 1",
                "SELECT v::text FROM (SELECT violation_id, check_name, entity_key, details, first_seen_at FROM ops.dq_violations WHERE resolved_at IS NULL) v ORDER BY 1",
                "SELECT d::text FROM (SELECT * FROM finance.daily_inventory) d ORDER BY 1",
                "SELECT d::text FROM (SELECT * FROM finance.daily_donations) d ORDER BY 1",
                "SELECT d::text FROM (SELECT * FROM finance.daily_fulfillment) d ORDER BY 1",
                "SELECT d::text FROM (SELECT * FROM finance.reconciliation_exceptions) d ORDER BY 1",
            ]
            let before = try curated.map { try edge.rows($0) }
            let resolved = "SELECT check_name || ' ' || entity_key FROM ops.dq_violations WHERE resolved_at IS NOT NULL ORDER BY 1"
            let resolvedBefore = try edge.rows(resolved)
            #expect(before[0].count == 2 && !before[2].isEmpty && !before[3].isEmpty && !before[4].isEmpty && !before[5].isEmpty, "\(before)")
            for database in HistoryDeployment.sourceDatabases {
                try edge.run.resnapshot(database, at: "the end", deleting: false)
            }
            try edge.settle()
            let after = try curated.map { try edge.rows($0) }
            for (query, (old, new)) in zip(curated, zip(before, after)) {
                #expect(old == new, "\(query) changed:\nbefore \(old)\nafter \(new)")
            }
            // The findings' history: while a table's snapshot rows are still in flight on other
            // partitions, its completion has already removed their older versions (decision 32), so
            // dq may open a finding and resolve it a moment later (seen: a negative balance open
            // for 260 ms, the receipt's snapshot row read after the distribution's).
            let resolvedDuringTheSnapshot = try edge.rows(resolved).filter { !resolvedBefore.contains($0) }
            withKnownIssue("decision 32's in-flight window: findings opened and resolved while a re-snapshot is read", isIntermittent: true) {
                #expect(resolvedDuringTheSnapshot.isEmpty, "\(resolvedDuringTheSnapshot)")
            }
            let differences = try edge.differences()
            #expect(differences.isEmpty, "\(differences.count) differences from the oracle:\n\(differences.prefix(20).joined(separator: "\n"))\n\(edge.report)")
        }
    }
}
