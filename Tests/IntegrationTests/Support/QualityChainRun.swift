import FoodbankCDC
import FoodbankKafka
import FoodbankPostgres
import FoodbankTopics
import Foundation

/// The whole chain (cdc, sftp-watcher, normalize, dedupe, reconcile, dq) on topics, slots, groups
/// and an inbox folder of its own, fed by one simulator run whose ids and item codes carry the run's
/// tag, so its positions and findings can be told from every other run's on the shared stack.
struct QualityChainRun {
    /// Digits shared by every name of the run: `qc<n>` for topics, groups and slots, `QC<n>` in the
    /// simulator's ids and item codes.
    let number = String(format: "%08d", UInt32.random(in: 0..<100_000_000))
    var tag: String { "qc\(number)" }
    var simulatorTag: String { "QC\(number)" }
    var skuPrefix: String { "SKU\(simulatorTag)" }
    let catalog: TopicCatalog
    let inbox: URL
    let truthFolder: URL

    init() throws {
        catalog = try TopicCatalog.loadDefault()
        inbox = URL(fileURLWithPath: try TestStack.require("FOODBANK_SFTP_INBOX"))
        truthFolder = FileManager.default.temporaryDirectory.appendingPathComponent("truth-qc-\(UUID().uuidString.prefix(8))")
    }

    /// Every declared topic, with the run's suffix.
    func createTopics() throws {
        let names = TopicNames(catalog: catalog, suffix: tag)
        _ = try KafkaAdmin(configuration: try TestStack.kafka).createTopics(catalog.topics.map { .init(name: names.applied($0.name), partitions: $0.partitions) })
    }

    func start(_ executable: String, _ extra: [String] = []) throws -> ChildProcess {
        var arguments: [String]
        switch executable {
        case "cdc": arguments = ["--slot-prefix", tag, "--topic-suffix", tag, "--idle-millis", "100"]
        case "sftp-watcher": arguments = ["--interval", "1", "--root", tag, "--topic-suffix", tag]
        default: arguments = ["--group", "\(executable)-\(tag)", "--topic-suffix", tag, "--batch", "1000"]
        }
        // A 20 s grace period, swept every 2 s: shipments reach the platform before their orders here.
        if executable == "dq" { arguments += ["--grace-seconds", "20", "--sweep-seconds", "2"] }
        // Runs date their activity years back or on fixed days: nightly finalizes nothing by itself.
        if executable == "nightly" { arguments += ["--catch-up-days", "0"] }
        arguments += extra
        var environment = ["KAFKA_PROPERTY_SESSION_TIMEOUT_MS": "6000", "KAFKA_PROPERTY_MAX_POLL_INTERVAL_MS": "45000",
                           "FOODBANK_INSTANCE_ID": "\(executable)-\(tag)"]
        // Each stage as its own database role, as deployed: a grant its stage lacks fails the chain.
        let role = ConsumerRole(stage: executable)
        if ConsumerRole.all.contains(role) { environment[PostgresConfiguration.urlVariable] = try TestStack.require(role.urlVariable) }
        return try ChildProcess(TestStack.binDirectory.appendingPathComponent(executable), arguments,
                                environment: TestStack.environment.merging(environment) { _, new in new }, name: "\(executable)-\(tag)")
    }

    /// Days of activity with the dirty cases, spread over 12 s so the feed watcher sees files come and
    /// change. `batch` tells later runs apart (their ids; the item codes stay the run's).
    func simulate(days: Int = 3, batch: String = "", endDate: String = "2026-11-20") throws -> ChildProcess {
        try ChildProcess(TestStack.binDirectory.appendingPathComponent("simulator"),
                         ["--tag", simulatorTag + batch, "--sku-prefix", skuPrefix, "--days", String(days), "--movements-per-day", "150", "--end-date", endDate,
                          "--donations-per-day", "20", "--orders-per-day", "8", "--over-seconds", "12",
                          "--inbox", inbox.appendingPathComponent(tag).path, "--truth", truthFolder.path],
                         environment: TestStack.environment, name: "simulator-\(tag)\(batch)")
    }

    struct Truth {
        /// `sku|location|lot` -> `cases lbs`, non-zero positions only.
        var onHand: [String: String]
        /// `check<TAB>entity`, sorted.
        var planted: [String]
    }

    /// The simulator's daily totals: `date|sku|location` -> the six kinds, non-zero rows only.
    func dailyTruth() throws -> [String: [Decimal]] {
        var daily: [String: [Decimal]] = [:]
        for line in try String(contentsOf: truthFolder.appendingPathComponent("daily.tsv"), encoding: .utf8).split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 9 else { continue }
            let totals = f[3...].map { Decimal(string: $0) ?? -999_999 }
            if totals.contains(where: { $0 != 0 }) { daily["\(f[0])|\(f[1])|\(f[2])"] = totals }
        }
        return daily
    }

    func truth() throws -> Truth {
        let onHandText = try String(contentsOf: truthFolder.appendingPathComponent("on_hand.tsv"), encoding: .utf8)
        var onHand: [String: String] = [:]
        for line in onHandText.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 5 else { continue }
            if let balance = Self.balance(f[3], f[4]) { onHand["\(f[0])|\(f[1])|\(f[2])"] = balance }
        }
        let planted = try String(contentsOf: truthFolder.appendingPathComponent("planted.tsv"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }.sorted()
        return Truth(onHand: onHand, planted: planted)
    }

    /// ops.inventory_on_hand for this run's item codes (known and unknown), in the truth's form.
    func onHand() throws -> [String: String] {
        let rows = try TestStack.database().execute("""
            SELECT sku, location_id, lot_code, on_hand_cases::text AS cases, on_hand_lbs::text AS lbs FROM ops.inventory_on_hand
            WHERE sku LIKE $1 OR sku LIKE $2
            """, [.text("\(skuPrefix)-%"), .text("UNKNOWN-\(simulatorTag)-%")])
        var onHand: [String: String] = [:]
        for row in 0..<rows.count {
            if let balance = Self.balance(rows.value(row, "cases")!, rows.value(row, "lbs")!) {
                onHand["\(rows.value(row, "sku")!)|\(rows.value(row, "location_id")!)|\(rows.value(row, "lot_code")!)"] = balance
            }
        }
        return onHand
    }

    /// Open findings naming this run's entities, as `check<TAB>entity`, sorted.
    func openFindings() throws -> [String] {
        let rows = try TestStack.database().execute("""
            SELECT check_name || E'\\t' || entity_key AS finding FROM ops.dq_violations WHERE resolved_at IS NULL AND entity_key LIKE $1 ORDER BY 1
            """, [.text("%\(simulatorTag)%")])
        return (0..<rows.count).map { rows.value($0, "finding")! }
    }

    /// Shipments of this run that dq has not decided yet: waiting out their grace period, neither
    /// complete nor opened as orphaned. Until there are none, the open findings can still grow.
    func undecidedShipments() throws -> Int {
        Int(try TestStack.database().execute("SELECT count(*) FROM dq.shipments WHERE pending AND shipment_id LIKE $1",
                                             [.text("%\(simulatorTag)%")]).scalar ?? "") ?? -1
    }

    /// The port a stage serves its metrics on (it logs it when it starts).
    static func metricsPort(_ process: ChildProcess) -> Int? {
        guard let range = process.log.range(of: #"port=\d+"#, options: .regularExpression) else { return nil }
        return Int(process.log[range].dropFirst(5))
    }

    /// The rows of ops.inventory_movements naming this run's item codes.
    func ledgerRows() throws -> Int {
        Int(try TestStack.database().execute("SELECT count(*) FROM ops.inventory_movements WHERE sku LIKE $1 OR sku LIKE $2",
                                             [.text("\(skuPrefix)-%"), .text("UNKNOWN-\(simulatorTag)%")]).scalar ?? "0") ?? 0
    }

    /// `cases lbs` with both normalized; nil for a position at zero.
    static func balance(_ cases: String, _ lbs: String) -> String? {
        guard let c = Decimal(string: cases), let l = Decimal(string: lbs) else { return "\(cases) \(lbs)" }
        return c == 0 && l == 0 ? nil : "\(c) \(l)"
    }

    /// Drops the run's replication slots (they would hold WAL forever) and its inbox folder.
    func cleanUp() {
        for database in CDCConfiguration.databases {
            guard let url = try? CDCConfiguration.sourceURL(for: database, environment: TestStack.environment),
                  let source = try? PostgresConnection(url: url) else { continue }
            _ = try? source.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", [.text("\(tag)_\(database)")])
        }
        _ = try? TestStack.database().execute("DELETE FROM platform.cdc_sources WHERE slot_name LIKE $1", [.text("\(tag)\\_%")])
        try? FileManager.default.removeItem(at: inbox.appendingPathComponent(tag))
        try? FileManager.default.removeItem(at: truthFolder)
    }
}
