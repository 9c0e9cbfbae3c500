import FoodbankHistories
import FoodbankOracle
import FoodbankPostgres
import FoodbankTopics
import Foundation
import Testing

/// One of the contract's edges through the whole chain (cdc, sftp-watcher, normalize, dedupe,
/// reconcile, dq, nightly) on a deployment of its own. Its rows and files are written by hand from
/// the contract, not by the simulator or the history generator, so a misreading those share cannot
/// hide here. The test writes in phases: after each, the chain settles and nightly finalizes the
/// days, so a later phase corrects days already finalized. At the end, `foodbank-ctl verify` must
/// find no difference from the oracle, and the test checks the curated rows it worked out by hand.
final class ContractEdgeRun {
    let run: OracleHistoryRun
    let name: String
    let days: (from: String, to: String)

    /// Every edge starts from this item master, these locations, one donor and one agency.
    static let masterData: [(note: String, action: SourceAction)] = [
        sql("warehouse", "item master and locations",
            "INSERT INTO wms.items (sku, description, category, unit_weight_lbs) VALUES ('S1', 'rice 20x1lb', 'dry_goods', 10), ('S2', 'beans 24x15oz', 'dry_goods', 2.5)",
            "INSERT INTO wms.locations (location_id, name, kind) VALUES ('OAK-MAIN', 'Oakland main', 'warehouse'), ('OAK-COLD', 'Oakland cold', 'cold_storage'), ('HAY-SAT', 'Hayward', 'satellite'), ('RICH', 'Richmond', 'satellite')"),
        sql("donations", "a donor", "INSERT INTO intake.donors (donor_id, name, donor_type) VALUES ('DN1', 'Valley Farms', 'farm')"),
        sql("agency", "an agency", "INSERT INTO agency.agencies (agency_id, name, county, status) VALUES ('A1', 'Eastside Pantry', 'Alameda', 'active')"),
    ]

    /// `lateData`: the days are finalized by a backfill after the first phase only; after later
    /// phases the running nightly's late-data round (every 2 s) must re-finalize what they changed,
    /// as it does in production, where nobody runs a backfill.
    init(_ name: String, instances: Int = 1, lateData: Bool = false, days: (from: String, to: String) = ("2026-11-16", "2026-11-17")) throws {
        let written = HistoryScript(written: Self.masterData)
        run = try OracleHistoryRun(seed: 0, history: written, instances: instances, tagPrefix: "edg")
        if lateData { (run.nightlyCheckSeconds, run.nightlyLookbackSeconds) = (2, 3) }
        self.name = name
        self.days = days
        self.lateData = lateData
    }

    let lateData: Bool
    private var phases = 0

    /// Creates the deployment, starts every stage and writes the master data.
    func start() throws {
        try run.setUp()
        try run.startAll()
        let capturing = eventually(timeout: .seconds(60)) { run.processes["cdc"]![0].log.contains("capturing") }
        guard capturing else { throw HistoryRunError(message: "cdc did not start:\n\(run.processes["cdc"]![0].logTail)") }
        try run.write(run.history.actions)
    }

    /// Writes one phase, waits until the chain is quiet, and finalizes the days.
    func phase(_ actions: [(note: String, action: SourceAction)]) throws {
        log += actions.map(\.note)
        try run.write(actions.map(\.action))
        phases += 1
        try settle()
    }

    /// Waits until the chain is quiet and nightly has finalized the days: by a backfill, or, for a
    /// late-data run after its first phase, by nightly's own round (until verify agrees, or 60 s).
    func settle() throws {
        guard try run.waitUntilQuiet() else { throw HistoryRunError(message: "the chain did not settle: \(run.pending.prefix(10))\n\(report)") }
        if lateData && phases > 1 {
            _ = try eventually(timeout: .seconds(60), every: .seconds(2)) { try run.verify(from: days.from, to: days.to).differences.isEmpty }
        } else {
            _ = try run.backfillAndVerify(from: days.from, to: days.to)
        }
    }

    /// `foodbank-ctl verify` over the days: its differences from the oracle (after a backfill,
    /// except in a late-data run, whose days only nightly's own rounds finalize again).
    func differences() throws -> [String] {
        let verified = lateData ? try run.verify(from: days.from, to: days.to) : try run.backfillAndVerify(from: days.from, to: days.to)
        if verified.differences.isEmpty && verified.status != 0 {
            throw HistoryRunError(message: "verify failed without a difference:\n\(verified.output)")
        }
        return verified.differences
    }

    /// The rows a query of the reporting database returns, each as its columns joined by `|`
    /// (NULL as `∅`).
    func rows(_ query: String, _ parameters: [PostgresValue] = []) throws -> [String] {
        let db = try PostgresConnection(url: run.deployment.reportingURL)
        defer { db.close() }
        return try db.execute(query, parameters).rows.map { $0.map { $0 ?? "∅" }.joined(separator: "|") }
    }

    /// Expects a query's rows (as ``rows(_:_:)`` gives them) to be `expected`, saying what they are.
    func expectRows(_ query: String, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = try rows(query)
        #expect(actual == expected, "\(query)\ngave \(actual)", sourceLocation: sourceLocation)
    }

    /// The dead letters on a stage's dead-letter topic, each as its reason header.
    func deadLetterReasons(_ declaredTopic: String, atLeast count: Int) throws -> [String] {
        let topic = try TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: run.tag).name(declaredTopic)
        return try readTopic(topic, kafka: try TestStack.kafka, timeout: .seconds(20)) { $0.count >= count }
            .map { $0.header("foodbank.dlq.reason").map { String(decoding: $0, as: UTF8.self) } ?? "(no reason)" }
    }

    private var log: [String] = []

    var report: String { "edge \(name): " + run.report + "\n" + log.enumerated().map { "phase line \($0.offset): \($0.element)" }.joined(separator: "\n") }

    func cleanUp() { run.cleanUp() }

    /// A transaction of literal statements in one source database.
    static func sql(_ database: String, _ note: String, _ statements: String...) -> (note: String, action: SourceAction) {
        (note, .transaction(database: database, statements: statements.map { .init(sql: $0, parameters: []) }))
    }

    /// A file written into a feed folder of the inbox, its lines joined by CRLF.
    static func upload(_ feed: DeliveredFile.Feed, _ name: String, _ lines: String...) -> (note: String, action: SourceAction) {
        ("upload \(feed.rawValue)/\(name)", .upload(DeliveredFile(feed: feed, name: name, content: Array((lines.joined(separator: "\r\n") + "\r\n").utf8))))
    }
}
