import ArgumentParser
import FoodbankCanonical
import FoodbankKafka
import FoodbankMetrics
import FoodbankOperations
import FoodbankOracle
import FoodbankPostgres
import FoodbankTopics
import Foundation
import Logging

/// Which deployment of the fleet a command talks to: the production names, or a test's suffixes.
struct FleetOptions: ParsableArguments {
    @Option(help: "Suffix of every topic name (tests).") var topicSuffix = ""
    @Option(help: "Suffix of every group name: groups are <stage><suffix> (tests).") var groupSuffix = ""

    func groups() throws -> [FleetGroup] {
        try Fleet.groups(TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: topicSuffix), groupSuffix: groupSuffix)
    }
}

struct Lag: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every consumer group's lag per topic and partition, wherever it keeps its offsets (like kafka-consumer-groups --describe).")
    @OptionGroup var fleet: FleetOptions
    @Option(help: "Serve the lag as Prometheus metrics on this port (/metrics, /healthz) instead of printing it once.") var serve: Int?

    func run() throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration.fromEnvironment(clientID: "foodbank-ctl"))
        let db = try PostgresConnection(url: try PostgresConfiguration.url())
        let groups = try fleet.groups()
        guard let port = serve else {
            print(FleetLag.render(try FleetLag.measure(groups, admin: admin, db: db)))
            return
        }
        // One scrape at a time (the server is sequential), so the connections are never shared.
        let server = MetricsServer(port: port, routes: [
            "/metrics": {
                do {
                    // The latest verify run rides along: the audit's result is alerted on like lag.
                    let text = FleetLag.prometheus(try FleetLag.measure(groups, admin: admin, db: db)) + ((try? Verification.prometheus(db)) ?? "")
                    return .init(status: 200, contentType: "text/plain; version=0.0.4", body: Array(text.utf8))
                }
                catch { return .init(status: 503, contentType: "text/plain", body: Array("lag unavailable: \(error)\n".utf8)) }
            },
            "/healthz": { .status(true) },
        ], logger: Logger(label: "foodbank.lag"))
        try server.start()
        setvbuf(stdout, nil, _IOLBF, 0)
        print("serving the fleet's lag on port \(server.port)")
        while true { Thread.sleep(forTimeInterval: 3600) }
    }
}

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reset consumer groups to the earliest offsets or to a time, so they read their inputs again; refused while a group has live members.",
        discussion: """
            Groups with offsets in Kafka (normalize, dedupe) get their committed offsets altered. Groups with offsets in PostgreSQL
            (reconcile, dq) get theirs replaced in one transaction with, from the earliest offsets, their derived tables emptied: the
            state is rebuilt by the replay. From a timestamp the state is kept (the sinks keep each source row's latest version by position).
            """)
    @OptionGroup var fleet: FleetOptions
    @Option(parsing: .upToNextOption, help: "Stages to reset: \(Fleet.stages.joined(separator: ", ")), or all.") var stages: [String]
    @Flag(help: "From the first offset still held.") var toEarliest = false
    @Option(help: "From the first record at or after this time (ISO 8601, e.g. 2026-11-20T08:00:00Z).") var toTimestamp: String?

    func validate() throws {
        guard toEarliest != (toTimestamp != nil) else { throw ValidationError("give exactly one of --to-earliest and --to-timestamp") }
        if let toTimestamp, BusinessTime.instant(fromISO: toTimestamp) == nil { throw ValidationError("--to-timestamp \(toTimestamp) is not ISO 8601") }
        for stage in stages where stage != "all" && !Fleet.stages.contains(stage) { throw ValidationError("unknown stage \(stage)") }
    }

    func run() throws {
        let start: FoodbankOperations.Replay.Start = toEarliest ? .earliest
            : .timestamp(Int64(BusinessTime.instant(fromISO: toTimestamp!)!.timeIntervalSince1970 * 1000))
        let admin = try KafkaAdmin(configuration: KafkaConfiguration.fromEnvironment(clientID: "foodbank-ctl"))
        let db = try PostgresConnection(url: try PostgresConfiguration.url())
        let chosen = try fleet.groups().filter { stages.contains("all") || stages.contains($0.stage) }
        for group in chosen {
            let outcome = try FoodbankOperations.Replay.run(group, from: start, admin: admin, db: db, logger: Logger(label: "foodbank.replay"))
            print("\(group.group): \(outcome.offsets.count) partitions reset (offsets in \(group.offsets.rawValue))"
                  + (outcome.emptiedTables.isEmpty ? "" : "; emptied \(outcome.emptiedTables.joined(separator: ", "))"))
        }
    }
}

struct ConvertToRowState: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-to-row-state",
        abstract: "Rebuild an existing deployment's derived tables from new snapshots of its sources and its live feed files (decision 37); refused while a group has live members.",
        discussion: """
            Stop cdc, sftp-watcher and every consumer first. normalize and dedupe then skip what they had not read; reconcile, dq \
            and nightly start empty (the finance tables are kept); every local cdc source is taken again when cdc starts; and every live \
            feed file version is published again when sftp-watcher starts, in its old delivery order. Then start the fleet, and once its \
            lag is 0, backfill the finalized days (nightly --backfill-from --backfill-to): a day whose rebuilt numbers differ gets a new \
            version.
            """)
    @OptionGroup var fleet: FleetOptions

    func run() throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration.fromEnvironment(clientID: "foodbank-ctl"))
        let db = try PostgresConnection(url: try PostgresConfiguration.url())
        let outcome = try RowStateConversion.run(try fleet.groups(), admin: admin, db: db, logger: Logger(label: "foodbank.convert"))
        for (group, reset) in outcome.resetGroups.sorted(by: { $0.key < $1.key }) {
            print("\(group): \(reset.offsets.count) partitions moved to their end" + (reset.emptiedTables.isEmpty ? "" : "; emptied \(reset.emptiedTables.joined(separator: ", "))"))
        }
        print("cdc sources to snapshot again when cdc starts: \(outcome.sourcesMarked.isEmpty ? "none" : outcome.sourcesMarked.joined(separator: ", "))")
        print("feed file versions to publish again when sftp-watcher starts: \(outcome.fileVersionsRepublished)")
        print("next: start the fleet; once foodbank-ctl lag shows 0, backfill the finalized days with nightly --backfill-from/--backfill-to")
    }
}
