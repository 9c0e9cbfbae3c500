import FoodbankHistories
import FoodbankJSON
import FoodbankKafka
import FoodbankPostgres
import FoodbankTopics
import Foundation
import Testing

extension Integration {
    /// `foodbank-ctl convert-to-row-state` (decision 37) on a deployment whose derived state is
    /// wrong the way the old records left it, with the sources changing while the fleet is down.
    /// This tree no longer holds the old code, so its leftovers are made by hand: derived tables
    /// that lost versions and miscounted, and a record in a unique topic at an identity the new
    /// records never use (as the old feed records' was). After the conversion, the fleet started
    /// again and a backfill, `foodbank-ctl verify` must find no difference from the oracle.
    @Suite struct RowStateConversion {
        @Test func aConvertedDeploymentCountsWhatItsSourcesHoldAndKeepsItsFinance() throws {
            let seed: UInt64 = 2_026_120_401
            let run = try OracleHistoryRun(seed: seed, history: HistoryGenerator.history(seed: seed, length: 60...80), instances: 1, tagPrefix: "cvt")
            defer { run.cleanUp() }
            // nightly's own rounds run every 2 s, so that they run while the sinks rebuild.
            (run.nightlyCheckSeconds, run.nightlyLookbackSeconds) = (2, 3)
            try run.setUp()
            try run.startAll()
            try #require(eventually(timeout: .seconds(60)) { run.processes["cdc"]![0].log.contains("capturing") }, "cdc did not start")
            let actions = run.history.actions
            let downtime = actions.count * 2 / 3
            try run.write(Array(actions[..<downtime]))
            try #require(try run.waitUntilQuiet(), "the chain did not settle before the conversion: \(run.pending.prefix(10))\n\(run.report)")
            for (from, to) in HistoryVocabulary.dayRanges {
                #expect(try run.backfillAndVerify(from: from, to: to).differences == [], "the deployment was wrong before it was spoiled")
            }
            let financeBefore = try Self.financeRows(run)

            // The fleet goes down, as an operator stops it (SIGTERM: each member leaves its group).
            run.stopAll()
            try Self.spoilDerivedState(run)
            var spoiled: [String] = []
            for (from, to) in HistoryVocabulary.dayRanges { spoiled += try run.verify(from: from, to: to).differences }
            #expect(!spoiled.isEmpty, "verify did not see the spoiled state: the test would prove nothing")
            // The sources go on while the fleet is down: the new snapshots and the watcher must find it.
            try run.write(Array(actions[downtime...]))

            let convertedAt = Date()
            var converted = (status: Int32(-1), output: "")
            _ = try eventually(timeout: .seconds(60), every: .seconds(2)) {
                converted = try runCapturing(TestStack.binDirectory.appendingPathComponent("foodbank-ctl"),
                                             ["convert-to-row-state", "--topic-suffix", run.tag, "--group-suffix=-\(run.tag)"],
                                             environment: run.environment)
                return converted.status == 0
            }
            try #require(converted.status == 0, "the conversion failed:\n\(converted.output)")
            #expect(converted.output.contains("cdc sources to snapshot again when cdc starts: \(run.tag)_agency"), "\(converted.output)")

            try run.startAll()
            try #require(try run.waitUntilQuiet(), "the chain did not settle after the conversion: \(run.pending.prefix(10))\n\(run.report)")
            // While the sinks rebuild, nightly's rounds (every 2 s) append no version from half-read
            // inputs: its finance is held until the backfill.
            #expect(try Self.versionsSince(convertedAt, run) == [:], "versions appended while rebuilding")
            var differences: [String] = []
            for (from, to) in HistoryVocabulary.dayRanges { differences += try run.backfillAndVerify(from: from, to: to).differences }
            let examples = differences.prefix(20).joined(separator: "\n")
            #expect(differences.isEmpty, "\(differences.count) differences after the conversion, e.g.\n\(examples)\n\(run.report)")
            // Finance is corrected by new versions only: every row finalized before is still there as it was.
            let versions = try Self.versionsSince(convertedAt, run)
            // Once the first range's backfill releases the hold, nightly's own rounds may correct the other range first.
            #expect(!versions.isEmpty && versions.values.allSatisfy { $0.count == 1 }, "one corrected version a changed day: \(versions)")
            let financeAfter = try Self.financeRows(run)
            #expect(financeBefore.subtracting(financeAfter).isEmpty, "finalized rows were overwritten")
            let db = try PostgresConnection(url: run.deployment.reportingURL)
            defer { db.close() }
            #expect(try db.execute("SELECT count(*) FROM platform.cdc_sources WHERE snapshot_completed_at IS NULL").scalar == "0")
            #expect(try db.execute("SELECT count(*) FROM platform.file_manifest WHERE status = 'publishing'").scalar == "0")
            #expect(try db.execute("SELECT count(*) FROM nightly.finance_holds").scalar == "0", "the backfill released the hold")
        }

        /// The finance versions appended since `moment`, by day: their reasons.
        static func versionsSince(_ moment: Date, _ run: OracleHistoryRun) throws -> [String: [String]] {
            let db = try PostgresConnection(url: run.deployment.reportingURL)
            defer { db.close() }
            let result = try db.execute("""
                SELECT business_date::text AS day, reason FROM finance.snapshot_versions WHERE finalized_at >= to_timestamp($1::float8)
                ORDER BY business_date, snapshot_version
                """, [.text(String(moment.timeIntervalSince1970))])
            var versions: [String: [String]] = [:]
            for row in 0..<result.count { versions[result.value(row, "day")!, default: []].append(result.value(row, "reason")!) }
            return versions
        }

        /// Every finance row as text, versions included.
        static func financeRows(_ run: OracleHistoryRun) throws -> Set<String> {
            let db = try PostgresConnection(url: run.deployment.reportingURL)
            defer { db.close() }
            var rows = Set<String>()
            for table in ["finance.daily_inventory", "finance.daily_donations", "finance.daily_fulfillment", "finance.reconciliation_exceptions"] {
                let result = try db.execute("SELECT t::text AS row FROM \(table) t")
                for row in 0..<result.count { rows.insert(table + result.value(row, "row")!) }
            }
            return rows
        }

        /// What the old records left behind: versions the event-id ledger lost (a third of reconcile's
        /// row versions and of nightly's records), balances it miscounted, findings it never
        /// resolved, and a record at an identity no current record has.
        static func spoilDerivedState(_ run: OracleHistoryRun) throws {
            let db = try PostgresConnection(url: run.deployment.reportingURL)
            defer { db.close() }
            try db.execute("DELETE FROM ops.ledger_versions WHERE ctid IN (SELECT ctid FROM ops.ledger_versions TABLESAMPLE BERNOULLI (33) REPEATABLE (7))")
            try db.execute("UPDATE ops.inventory_on_hand SET on_hand_cases = on_hand_cases + 1")
            try db.execute("DELETE FROM nightly.records WHERE ctid IN (SELECT ctid FROM nightly.records TABLESAMPLE BERNOULLI (33) REPEATABLE (7))")
            try db.execute("UPDATE ops.dq_violations SET resolved_at = NULL")

            let topic = try TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: run.tag).name("foodbank.unique.inventory_events")
            let kafka = try TestStack.kafka
            guard let message = try readTopic(topic, kafka: kafka, timeout: .seconds(30), until: { !$0.isEmpty }).first(where: { $0.value != nil }),
                  case .object(var record) = try JSONValue.parse(message.value!), case .object(var source)? = record["source"] else {
                throw HistoryRunError(message: "no inventory event to copy in \(topic)")
            }
            source["source_id"] = .string("old-identity:" + (source["source_id"]?.stringValue ?? ""))
            record["source"] = .object(source)
            let eventID = "old:" + (record["event_id"]?.stringValue ?? "")
            record["event_id"] = .string(eventID)
            let headers = message.headers.map { $0.name == "foodbank.event_id" ? KafkaHeader(name: $0.name, value: Array(eventID.utf8)) : $0 }
            let producer = try KafkaProducer(configuration: kafka)
            try producer.send(KafkaRecord(topic: topic, key: message.key, value: JSONValue.object(record).encoded(), headers: headers))
            try producer.flush()
        }
    }
}
