import FoodbankHistories
import FoodbankKafka
import FoodbankOperations
import FoodbankPostgres
import FoodbankTopics
import Foundation

/// One generated history through the whole chain, on a deployment of its own: its own source and
/// reporting databases (so `foodbank-ctl verify` sees exactly this history), topics, groups, slots
/// and inbox folder. Consumers are SIGKILLed at random moments while the history is written.
final class OracleHistoryRun {
    let seed: UInt64
    let history: HistoryScript
    let instances: Int
    let tag: String
    let tagPrefix: String
    let deployment: HistoryDeployment
    let inbox: URL
    let environment: [String: String]
    private(set) var processes: [String: [ChildProcess]] = [:]
    private(set) var kills: [String] = []

    static let stages = ["cdc", "sftp-watcher", "normalize", "dedupe", "reconcile", "dq", "nightly"]
    /// Stages that run as consumer groups, and so may run as two instances.
    static let scalable = ["normalize", "dedupe", "reconcile", "dq"]

    /// The history a seed generates.
    convenience init(seed: UInt64, steps: ClosedRange<Int>, instances: Int) throws {
        try self.init(seed: seed, history: HistoryGenerator.history(seed: seed, length: steps), instances: instances)
    }

    /// A given history (one written by hand names its seed 0); `tagPrefix` names its databases,
    /// topics and slots, and earlier runs' leftovers with that prefix are dropped by `setUp`.
    init(seed: UInt64, history: HistoryScript, instances: Int, tagPrefix: String = "ohc") throws {
        self.seed = seed
        self.instances = instances
        self.history = history
        self.tagPrefix = tagPrefix
        // Random enough that two runs of one seed never share a name: the broker keeps an earlier
        // run's topics, and a run that reused them read that run's records (1 in 1,000 a pair of
        // runs of a seed, and the contract edges all run seed 0).
        tag = "\(tagPrefix)\(String(format: "%08d", seed % 100_000_000))\(String(format: "%06d", UInt32.random(in: 0..<1_000_000)))"
        deployment = try HistoryDeployment(tag: tag)
        inbox = URL(fileURLWithPath: try TestStack.require("FOODBANK_SFTP_INBOX")).appendingPathComponent(tag)
        environment = TestStack.environment.merging([
            PostgresConfiguration.urlVariable: deployment.reportingURL,
            "FOODBANK_SOURCE_DATABASE_URL_TEMPLATE": deployment.sourceURLTemplate,
            "KAFKA_PROPERTY_SESSION_TIMEOUT_MS": "6000", "KAFKA_PROPERTY_MAX_POLL_INTERVAL_MS": "45000",
        ]) { _, new in new }
    }

    func setUp() throws {
        try HistoryDeployment.dropLeftovers(prefix: tagPrefix)
        try deployment.create()
        let reporting = try PostgresConnection(url: deployment.reportingURL)
        defer { reporting.close() }
        _ = try Migrator().migrate(reporting)
        let catalog = try TopicCatalog.loadDefault()
        let names = TopicNames(catalog: catalog, suffix: tag)
        _ = try KafkaAdmin(configuration: try TestStack.kafka)
            .createTopics(catalog.topics.map { .init(name: names.applied($0.name), partitions: $0.partitions) })
        // Both feed folders, as a real inbox has them (verify refuses an inbox without one).
        for feed in ["legacy_wms", "adjustments"] {
            try FileManager.default.createDirectory(at: inbox.appendingPathComponent(feed), withIntermediateDirectories: true)
        }
    }

    func start(_ stage: String, instance: Int = 1) throws -> ChildProcess {
        var arguments: [String]
        switch stage {
        case "cdc": arguments = ["--slot-prefix", tag, "--topic-suffix", tag, "--idle-millis", "100"]
        case "sftp-watcher": arguments = ["--interval", "1", "--root", tag, "--topic-suffix", tag]
        default: arguments = ["--group", "\(stage)-\(tag)", "--topic-suffix", tag, "--batch", "500"]
        }
        if stage == "dq" { arguments += ["--grace-seconds", "2", "--sweep-seconds", "1"] }
        if stage == "nightly" {
            arguments += ["--catch-up-days", "0", "--check-seconds", "\(nightlyCheckSeconds)", "--late-data-lookback-seconds", "\(nightlyLookbackSeconds)"]
        }
        let name = "\(stage)-\(tag)-\(instance)"
        return try ChildProcess(TestStack.binDirectory.appendingPathComponent(stage), arguments,
                                environment: environment.merging(["FOODBANK_INSTANCE_ID": name]) { _, new in new }, name: name)
    }

    func startAll() throws {
        for stage in Self.stages {
            let count = Self.scalable.contains(stage) ? instances : 1
            processes[stage] = try (1...count).map { try start(stage, instance: $0) }
        }
    }

    /// Writes the history, SIGKILLing a random process (and starting it again) at `killAt` actions,
    /// and taking a source database's snapshot again at `resnapshotAt` actions.
    func write(killAt: Set<Int>, resnapshotAt: [Int: String] = [:], random: inout some RandomNumberGenerator) throws {
        try write(history.actions) { index in
            if killAt.contains(index) { try killOne(random: &random, at: "action \(index)") }
            if let database = resnapshotAt[index] { try resnapshot(database, at: "action \(index)") }
        }
    }

    /// Applies `actions` in order, calling `before` with each one's index first.
    func write(_ actions: [SourceAction], before: (Int) throws -> Void = { _ in }) throws {
        var connections: [String: PostgresConnection] = [:]
        defer { connections.values.forEach { $0.close() } }
        for (index, action) in actions.enumerated() {
            try before(index)
            try deployment.apply(action, inbox: inbox, connections: &connections)
            Thread.sleep(forTimeInterval: 0.04)
        }
    }

    func killOne(random: inout some RandomNumberGenerator, at moment: String) throws {
        let stage = Self.stages.randomElement(using: &random)!
        let index = Int.random(in: 0..<processes[stage]!.count, using: &random)
        processes[stage]![index].crash()
        let restarted = try start(stage, instance: index + 1)
        processes[stage]![index] = restarted
        kills.append("\(stage) at \(moment)")
        // A quiet chain proves nothing while cdc is still finding its slot again.
        if stage == "cdc", !eventually(timeout: .seconds(90), { restarted.log.contains("capturing") }) {
            throw HistoryRunError(message: "cdc did not capture again after a kill:\n\(restarted.logTail)")
        }
    }

    /// What an operator does when a slot is lost or the connector's offsets are: the slot is dropped
    /// and cdc, started again, takes the database's snapshot again. The slot is drained first, so the
    /// rows still there arrive again as newer versions equal in value (decision 21) and change
    /// nothing. While no slot exists, rows are deleted (the first row of a table nothing references,
    /// in the warehouse an item, and at a history's end a header with its lines): no event will
    /// name them, and the complete snapshot must remove them (decision 32).
    /// `deletingHeader` deletes a header with its lines too: only at the end of a history, whose
    /// later actions could name the header.
    /// `deleting: false` deletes nothing: the re-snapshot must then change nothing at all.
    /// `draining: false` takes the slot while changes are still being written (a busy source).
    func resnapshot(_ database: String, at moment: String, deleting: Bool = true, deletingHeader: Bool = false, draining: Bool = true) throws {
        let slot = "\(tag)_\(database)"
        let source = try PostgresConnection(url: deployment.url(database))
        defer { source.close() }
        var waiting = ""
        let drained = try !draining || eventually(timeout: .seconds(90), every: .milliseconds(200)) {
            waiting = try Self.undrained(slot, source)
            return waiting.isEmpty
        }
        guard drained else {
            throw HistoryRunError(message: "slot \(slot) was not drained before its re-snapshot; still in it: \(waiting)\n"
                                  + processes["cdc"]![0].logTail)
        }
        processes["cdc"]![0].crash()
        try source.execute("SELECT pg_drop_replication_slot($1)", [.text(slot)])
        var deleted: [String] = []
        for table in deleting ? [Self.leafTables[database]!] + (database == "warehouse" ? ["wms.items"] : []) : [] {
            let count = try source.execute("""
                WITH d AS (DELETE FROM \(table) WHERE ctid = (SELECT min(ctid) FROM \(table)) RETURNING 1) SELECT count(*) FROM d
                """).scalar ?? "0"
            deleted.append("\(count) \(table)")
        }
        // A header too, with its lines (the newest, so that its key is not the leaf row's).
        if deletingHeader, let header = Self.headers[database] {
            let id = try source.execute("SELECT max(\(header.key))::text FROM \(header.table)").scalar
            if let id {
                try source.execute("DELETE FROM \(header.lines) WHERE \(header.key)::text = $1", [.text(id)])
                try source.execute("DELETE FROM \(header.table) WHERE \(header.key)::text = $1", [.text(id)])
                deleted.append("\(header.table) \(id) with its lines")
            }
        }
        let restarted = try start("cdc")
        processes["cdc"]![0] = restarted
        kills.append("re-snapshot of \(database) at \(moment), deleted while no slot existed: \(deleted.joined(separator: ", "))")
        resnapshots += 1
        if !eventually(timeout: .seconds(120), { restarted.log.contains("capturing") }) {
            throw HistoryRunError(message: "cdc did not capture again after the re-snapshot of \(database):\n\(restarted.logTail)")
        }
        guard restarted.log.contains("snapshot published") else {
            throw HistoryRunError(message: "cdc did not take \(database)'s snapshot again:\n\(restarted.logTail)")
        }
    }

    /// What the slot still holds, empty once cdc has drained it. A peek while cdc's own poll holds
    /// the slot fails with 55006 ("is active for PID"): that is cdc at work, so it counts as not yet drained.
    private static func undrained(_ slot: String, _ source: PostgresConnection) throws -> String {
        do {
            let rows = try source.execute("""
                SELECT lsn::text || ' ' || left(data, 120) AS change
                FROM pg_logical_slot_peek_changes($1, NULL, NULL, 'format-version', '2') LIMIT 5
                """, [.text(slot)])
            return (0..<rows.count).compactMap { rows.value($0, "change") }.joined(separator: "; ")
        } catch let error as PostgresError where error.sqlState == "55006" {
            return "the slot is in use by cdc"
        }
    }

    /// A header table per source database, its key, and the table of its lines.
    static let headers = ["donations": (table: "intake.donations", key: "intake_id", lines: "intake.donation_lines"),
                          "agency": (table: "agency.orders", key: "order_id", lines: "agency.order_lines"),
                          "fulfillment": (table: "pick.shipments", key: "shipment_id", lines: "pick.shipment_lines")]
    /// A table per source database whose rows nothing else in the database references.
    static let leafTables = ["warehouse": "wms.inventory_transactions", "donations": "intake.donation_lines",
                             "agency": "agency.order_lines", "fulfillment": "pick.shipment_lines"]

    /// How often the running nightly looks for late data (finalized days whose inputs changed):
    /// hourly, unless a test proves that round, not a backfill, re-finalizes the days.
    var nightlyCheckSeconds = 3600
    /// How far its rounds look back (a test shortens it, so that a round sees only what changed
    /// since the one before, as rounds minutes apart do in production).
    var nightlyLookbackSeconds = 300

    /// How many re-snapshots the run took.
    private(set) var resnapshots = 0

    /// Waits until every group's lag is 0, the manifest holds every inbox file as it is now, and the
    /// reporting tables stop changing.
    func waitUntilQuiet(timeout: Duration = .seconds(300)) throws -> Bool {
        let groups = try Fleet.groups(TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: tag), groupSuffix: "-\(tag)")
        let admin = try KafkaAdmin(configuration: try TestStack.kafka)
        let db = try PostgresConnection(url: deployment.reportingURL)
        defer { db.close() }
        var last = "", stableSince = ContinuousClock.now
        pending = []
        return try eventually(timeout: timeout, every: .seconds(1)) {
            let state = try db.execute("""
                SELECT md5(coalesce((SELECT string_agg(h::text, ',' ORDER BY h::text) FROM ops.inventory_on_hand h), '')
                    || coalesce((SELECT string_agg(v.violation_id || coalesce(v.resolved_at::text, ''), ',' ORDER BY v.violation_id)
                                 FROM ops.dq_violations v), '')
                    || (SELECT count(*) || '/' || coalesce(max(recorded_at)::text, '') FROM nightly.records)
                    || (SELECT count(*) FROM platform.file_manifest)::text || (SELECT count(*) FROM ops.inventory_movements)::text)
                """).scalar ?? ""
            if state != last { last = state; stableSince = .now }
            let lagging = try FleetLag.measure(groups, admin: admin, db: db).filter { $0.lag != 0 }
            let unpublished = try unpublishedInboxFiles(db)
            pending = lagging.map { "\($0.group) \($0.topic)[\($0.partition)] lag \($0.lag)" } + unpublished.map { "inbox file \($0) not in the manifest" }
            let caughtUp = lagging.isEmpty && unpublished.isEmpty
            return caughtUp && ContinuousClock.now - stableSince > .seconds(8)
        }
    }

    /// What the last wait for quiet saw still pending, for its failure message.
    private(set) var pending: [String] = []

    /// The inbox files the manifest has not seen with their current content.
    func unpublishedInboxFiles(_ db: PostgresConnection) throws -> [String] {
        var unpublished: [String] = []
        for feed in ["legacy_wms", "adjustments"] {
            let folder = inbox.appendingPathComponent(feed)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                let content = try Data(contentsOf: folder.appendingPathComponent(name))
                let seen = try db.execute("""
                    SELECT count(*) FROM platform.file_manifest WHERE file_name = $1 AND sha256 = encode(sha256($2::bytea), 'hex')
                    """, [.text(name), .bytes(Array(content))]).scalar
                if seen == "0" { unpublished.append("\(feed)/\(name)") }
            }
        }
        return unpublished
    }

    /// nightly's backfill of a range of days, then `foodbank-ctl verify` over it: its differences.
    func backfillAndVerify(from: String, to: String) throws -> (status: Int32, differences: [String], output: String) {
        let backfill = try runCapturing(TestStack.binDirectory.appendingPathComponent("nightly"),
                                        ["--backfill-from", from, "--backfill-to", to, "--group", "nightly-\(tag)"], environment: environment)
        guard backfill.status == 0 else { throw HistoryRunError(message: "nightly's backfill failed:\n\(backfill.output)") }
        return try verify(from: from, to: to)
    }

    /// `foodbank-ctl verify` over a range of days, as the platform left them: its differences.
    func verify(from: String, to: String) throws -> (status: Int32, differences: [String], output: String) {
        let verify = try runCapturing(TestStack.binDirectory.appendingPathComponent("foodbank-ctl"),
                                      ["verify", "--from", from, "--to", to, "--root", tag, "--grace-minutes", "0"], environment: environment)
        let differences = verify.output.split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("wrong\t") || $0.hasPrefix("pending_refinalization\t") || $0.hasPrefix("unfinalized\t") }
        return (verify.status, differences, verify.output)
    }

    /// SIGTERM to every process at once, then each is waited for (and killed if it lingers).
    func stopAll() {
        let all = Array(processes.values.joined())
        all.forEach { $0.signal(SIGTERM) }
        all.forEach { _ = $0.terminate() }
    }

    func cleanUp() {
        stopAll()
        // FOODBANK_HISTORY_KEEP=1 keeps the databases, to look at a failure (the next run drops them).
        guard ProcessInfo.processInfo.environment["FOODBANK_HISTORY_KEEP"] != "1" else { return print("kept \(PostgresConfiguration.redact(deployment.reportingURL))") }
        deployment.drop()
        try? FileManager.default.removeItem(at: inbox)
    }

    /// The seed, the history and what happened, for a failure message.
    var report: String {
        "seed \(seed), \(instances) instance(s), kills: \(kills.joined(separator: ", "))\nhistory:\n" + history.log.joined(separator: "\n")
    }
}

struct HistoryRunError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
