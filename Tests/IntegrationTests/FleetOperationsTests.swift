import FoodbankCanonical
import FoodbankKafka
import FoodbankMetrics
import FoodbankOperations
import FoodbankTopics
import Foundation
import Testing

extension Integration {
    /// The operator's view of the running fleet: each consumer's /metrics and probes, the fleet's
    /// lag (growing while reconcile is stopped, back to zero once it caught up), and a replay of
    /// every group from the earliest offsets that reproduces the same tables with no duplicate.
    @Suite struct FleetOperations {
        @Test func metricsLagAndReplayOfEveryGroup() throws {
            let run = try QualityChainRun()
            defer { run.cleanUp() }
            try run.createTopics()
            let ingestion = try ["cdc", "sftp-watcher"].map { try run.start($0) }
            var stages = try Dictionary(uniqueKeysWithValues: Fleet.stages.map { ($0, try run.start($0)) })
            defer { (ingestion + Array(stages.values)).forEach { _ = $0.terminate() } }
            let capturing = eventually(timeout: .seconds(60)) { ingestion[0].log.contains("capturing") }
            try #require(capturing, "cdc did not start:\n\(ingestion[0].logTail)")
            try #require(try run.simulate(days: 2).waitForExit(timeout: 120) == 0)
            let truth = try run.truth()
            let settled = try eventually(timeout: .seconds(180), every: .seconds(2)) { try run.onHand() == truth.onHand }
            try #require(settled, "the chain did not reach the truth:\n\(stages["reconcile"]!.logTail)")

            // What the chain wrote holds its published schema, by a standard validator.
            let names = TopicNames(catalog: run.catalog, suffix: run.tag)
            for model in ["inventory_events"] + CanonicalModel.allCases.map(\.rawValue) {
                let records = try readWholeTopic(names.applied("foodbank.unique.\(model)"), kafka: try TestStack.kafka)
                let check = try PublishedSchemas.validate(records, model: model)
                #expect(check.status == 0 && !records.isEmpty, "\(model): \(check.output)")
            }

            // Every consumer: probes and metrics on its own port.
            for (stage, process) in stages {
                let port = try #require(QualityChainRun.metricsPort(process), "\(stage) logged no metrics port")
                #expect(try httpGet(port: port, path: "/healthz").hasPrefix("HTTP/1.1 200"), "\(stage) not alive")
                #expect(try httpGet(port: port, path: "/readyz").hasPrefix("HTTP/1.1 200"), "\(stage) not ready")
                let metrics = try httpGet(port: port, path: "/metrics")
                #expect(metrics.contains("foodbank_events_total{stage=\"\(stage)\",outcome=\"processed\"}"), "\(stage): no event counter")
                #expect(metrics.contains("foodbank_end_to_end_latency_seconds_count{stage=\"\(stage)\"}"), "\(stage): no latency histogram")
                if stage == "dq" {
                    #expect(metrics.contains("foodbank_dq_open_findings_count{check=\"orphaned_fulfillment\"}"), "dq: no open findings per check")
                    #expect(metrics.contains("foodbank_dq_findings_total{check=\"duplicate_donation_id\",status=\"open\"}"), "dq: no findings counter")
                }
            }

            // The feed watcher: files by feed and outcome (every poll sees the delivered files again, and the
            // simulator leaves one file incomplete; whether a poll caught a file before its correction is chance).
            let watcherPort = try #require(QualityChainRun.metricsPort(ingestion[1]), "sftp-watcher logged no metrics port")
            #expect(try httpGet(port: watcherPort, path: "/healthz").hasPrefix("HTTP/1.1 200"), "sftp-watcher not alive")
            let feedMetrics = try httpGet(port: watcherPort, path: "/metrics")
            for (feed, outcome) in [("legacy_wms", "published"), ("legacy_wms", "redelivered"), ("legacy_wms", "held"),
                                    ("adjustments", "published")] {
                #expect(feedMetrics.contains("foodbank_feed_files_total{feed=\"\(feed)\",outcome=\"\(outcome)\"}"), "sftp-watcher: no \(feed) \(outcome) count\n\(feedMetrics)\n\(ingestion[1].logTail)")
            }

            // The fleet's lag, served the way Prometheus scrapes it.
            let exporter = try ChildProcess(TestStack.binDirectory.appendingPathComponent("foodbank-ctl"),
                                            ["lag", "--serve", "0", "--topic-suffix", run.tag, "--group-suffix=-\(run.tag)"],
                                            environment: TestStack.environment, name: "lag-\(run.tag)")
            defer { exporter.terminate() }
            var exporterPort: Int?
            _ = eventually(timeout: .seconds(30)) {
                exporterPort = exporter.log.range(of: #"port \d+"#, options: .regularExpression).map { Int(exporter.log[$0].dropFirst(5))! }
                return exporterPort != nil
            }
            let lagPort = try #require(exporterPort, "the lag exporter did not start:\n\(exporter.logTail)")
            func lag(_ stage: String) throws -> Int {
                try httpGet(port: lagPort, path: "/metrics").split(separator: "\n")
                    .filter { $0.hasPrefix("foodbank_group_lag_records{group=\"\(stage)-\(run.tag)\"") }
                    .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
            }
            let caughtUp = try eventually(timeout: .seconds(60), every: .seconds(1)) { try lag("reconcile") == 0 }
            let lagBefore = try lag("reconcile")
            #expect(caughtUp, "reconcile's lag did not reach zero: \(lagBefore)")

            stages["reconcile"]!.terminate()
            try #require(try run.simulate(days: 1, batch: "B").waitForExit(timeout: 120) == 0)
            var behind = 0
            let grew = try eventually(timeout: .seconds(90), every: .seconds(1)) {
                behind = try lag("reconcile")
                return behind > 100
            }
            #expect(grew, "reconcile's lag while it is stopped: \(behind)")
            stages["reconcile"] = try run.start("reconcile")
            let recovered = try eventually(timeout: .seconds(120), every: .seconds(1)) { try lag("reconcile") == 0 }
            let lagAfter = try lag("reconcile")
            #expect(recovered, "reconcile's lag after its restart: \(lagAfter)\n\(stages["reconcile"]!.logTail)")

            // Replay: refused while a group has a live member.
            let ctl = TestStack.binDirectory.appendingPathComponent("foodbank-ctl")
            let fleet = ["--topic-suffix", run.tag, "--group-suffix=-\(run.tag)"]
            let refused = try runCapturing(ctl, ["replay", "--stages", "reconcile", "--to-earliest"] + fleet, environment: TestStack.environment)
            #expect(refused.status != 0 && refused.output.contains("live member"), "replay of a running group: \(refused.output)")

            // Quiet fleet: the tables to reproduce. A shipment still in its grace period would open its
            // finding later, so quiet also means dq has decided every shipment.
            let quiet = try eventually(timeout: .seconds(120), every: .seconds(1)) {
                try Fleet.stages.allSatisfy { try lag($0) == 0 } && run.undecidedShipments() == 0
            }
            let lags = try Fleet.stages.map { "\($0) \(try lag($0))" }
            let undecided = try run.undecidedShipments()
            try #require(quiet, "the fleet did not catch up: \(lags), undecided shipments \(undecided)")
            let onHand = try run.onHand()
            let findings = try run.openFindings()
            let ledger = try run.ledgerRows()
            #expect(ledger > 0 && !findings.isEmpty)

            // SIGTERM: each stops after its batch, leaves its group and exits 0.
            for (stage, process) in stages {
                let stopped = process.terminate()
                #expect(stopped && process.process.terminationStatus == 0, "\(stage) did not stop cleanly on SIGTERM\n\(process.logTail)")
            }
            let replayedAt = Date()
            var replay = (status: Int32(-1), output: "")
            // The broker forgets members that left a moment after they left.
            let reset = try eventually(timeout: .seconds(90), every: .seconds(2)) {
                replay = try runCapturing(ctl, ["replay", "--stages", "all", "--to-earliest"] + fleet, environment: TestStack.environment)
                return replay.status == 0
            }
            try #require(reset, "replay failed: \(replay.output)")
            #expect(replay.output.contains("emptied ops.ledger_versions, ops.inventory_movements"), "\(replay.output)")
            for stage in Fleet.stages { stages[stage] = try run.start(stage) }
            let rebuilt = try eventually(timeout: .seconds(240), every: .seconds(2)) {
                try run.onHand() == onHand && run.openFindings() == findings && run.ledgerRows() == ledger
            }
            let findingsAfter = try run.openFindings()
            let after = "\(try run.onHand().count) positions (\(onHand.count) before), \(try run.ledgerRows()) ledger rows (\(ledger) before), findings \(findingsAfter.count) (\(findings.count) before); "
                + "findings only after: \(Set(findingsAfter).subtracting(findings).sorted()), only before: \(Set(findings).subtracting(findingsAfter).sorted())"
            #expect(rebuilt, "after the replay: \(after)\nreconcile:\n\(stages["reconcile"]!.logTail)")
            let oldest = try TestStack.database().execute("SELECT extract(epoch FROM min(applied_at))::float8::text AS t FROM ops.inventory_movements WHERE sku LIKE $1",
                                                          [.text("\(run.skuPrefix)-%")]).scalar.flatMap(Double.init) ?? 0
            #expect(oldest >= replayedAt.timeIntervalSince1970 - 1, "the ledger was not rebuilt by the replay")
        }
    }
}
