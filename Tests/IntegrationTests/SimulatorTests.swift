import FoodbankCDC
import FoodbankPostgres
import FoodbankSimulator
import Foundation
import Testing

extension Integration {
    /// The simulator writes its activity into the real source databases and inbox.
    @Suite struct SimulatorRuns {
        @Test func activityLandsInTheSourcesAndTheInboxWithItsTruth() throws {
            let tag = "IT" + String(UInt32.random(in: 0..<1_000_000))
            let truth = FileManager.default.temporaryDirectory.appendingPathComponent("truth-\(tag)")
            let inbox = URL(fileURLWithPath: try TestStack.require(Simulation.inboxVariable)).appendingPathComponent("sim-\(tag)")
            defer { try? FileManager.default.removeItem(at: inbox); try? FileManager.default.removeItem(at: truth) }
            let result = try runCapturing(TestStack.binDirectory.appendingPathComponent("simulator"),
                                          ["--tag", tag, "--days", "2", "--movements-per-day", "100", "--truth", truth.path, "--inbox", inbox.path],
                                          environment: TestStack.environment)
            try #require(result.status == 0, "simulator failed:\n\(result.output)")

            let warehouse = try PostgresConnection(url: try CDCConfiguration.sourceURL(for: "warehouse", environment: TestStack.environment))
            // 200 inserted, 2 days x (2 corrected, 1 deleted).
            #expect(try warehouse.execute("SELECT count(*) FROM wms.inventory_transactions WHERE recorded_by = $1", [.text("sim-\(tag)")]).scalar == "198")
            let donations = try PostgresConnection(url: try CDCConfiguration.sourceURL(for: "donations", environment: TestStack.environment))
            #expect(try donations.execute("""
                SELECT count(*) FROM (SELECT donation_id FROM intake.donations WHERE donation_id LIKE $1 GROUP BY 1 HAVING count(*) > 1) d
                """, [.text("R-\(tag)-%")]).scalar == "2", "one duplicate donation id per day")
            let fulfillment = try PostgresConnection(url: try CDCConfiguration.sourceURL(for: "fulfillment", environment: TestStack.environment))
            #expect(try fulfillment.execute("SELECT count(*) FROM pick.shipments WHERE shipment_id LIKE $1", [.text("S-\(tag)-%-orphan")]).scalar == "2")

            let legacy = try FileManager.default.contentsOfDirectory(atPath: inbox.appendingPathComponent("legacy_wms").path)
            #expect(legacy.count == 4, "two sites x two days: \(legacy)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: inbox.appendingPathComponent("adjustments").path).count == 2)
            let onHand = try String(contentsOf: truth.appendingPathComponent("on_hand.tsv"), encoding: .utf8)
            #expect(onHand.split(separator: "\n").count > 50)
            let planted = try String(contentsOf: truth.appendingPathComponent("planted.tsv"), encoding: .utf8)
            for check in ["missing_sku", "duplicate_donation_id", "orphaned_fulfillment", "negative_balance"] {
                #expect(planted.contains(check + "\t"), "\(check) missing from the truth")
            }
        }
    }
}
