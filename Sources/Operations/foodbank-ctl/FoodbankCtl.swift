// foodbank-ctl: the operator's command. Configuration from the environment (KAFKA_BOOTSTRAP_SERVERS,
// KAFKA_PROPERTY_*, FOODBANK_DATABASE_URL); secrets are never printed.
import ArgumentParser
import FoodbankCanonical
import FoodbankKafka
import FoodbankOperations
import FoodbankPostgres
import FoodbankTopics
import Foundation
import Logging

@main
struct FoodbankCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "foodbank-ctl",
        abstract: "Operate the food bank data platform.",
        subcommands: [Topics.self, Migrate.self, Roles.self, Offsets.self, Lag.self, Replay.self, ConvertToRowState.self, Schemas.self, Verify.self])
}

struct Topics: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The topics declared in topics/topics.json.",
                                                    subcommands: [Apply.self, Check.self])

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create every declared topic that is missing (idempotent).")
        @Option(help: "Replication factor (default: the declaration's; 1 on the local single-broker stack).")
        var replicationFactor: Int?

        func run() throws {
            let catalog = try TopicCatalog.loadDefault()
            let admin = try KafkaAdmin(configuration: KafkaConfiguration.fromEnvironment(clientID: "foodbank-ctl"))
            let plan = try admin.apply(catalog, replicationFactor: replicationFactor)
            print("created \(plan.toCreate.count), unchanged \(plan.unchanged.count)")
            for topic in plan.toCreate { print("  + \(topic.name) (\(topic.partitions) partitions, \(topic.cleanupPolicy.rawValue))") }
            try Topics.report(plan.partitionMismatches)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compare the cluster with the declaration; exit 1 on a difference.")

        func run() throws {
            let catalog = try TopicCatalog.loadDefault()
            let admin = try KafkaAdmin(configuration: KafkaConfiguration.fromEnvironment(clientID: "foodbank-ctl"))
            let plan = TopicPlan(catalog: catalog, existingPartitions: try admin.topicPartitionCounts())
            for topic in plan.toCreate { print("missing: \(topic.name)") }
            try Topics.report(plan.partitionMismatches)
            if !plan.toCreate.isEmpty { throw ExitCode.failure }
            print("all \(catalog.topics.count) topics match")
        }
    }

    static func report(_ mismatches: [(name: String, declared: Int, actual: Int)]) throws {
        guard !mismatches.isEmpty else { return }
        for m in mismatches {
            print("partition mismatch: \(m.name) declared \(m.declared), cluster has \(m.actual) (never changed automatically: it would move keys)")
        }
        throw ExitCode.failure
    }
}


struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations to the reporting database.")

    func run() throws {
        let db = try PostgresConnection(url: try PostgresConfiguration.url())
        let applied = try Migrator().migrate(db)
        print(applied.isEmpty ? "schema up to date" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
    }
}

struct Offsets: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A group's committed offsets and lag per partition (offsets kept in Kafka).")
    @Option(help: "Consumer group.") var group: String
    @Option(parsing: .upToNextOption, help: "Topics the group reads.") var topics: [String]

    func run() throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration.fromEnvironment(clientID: "foodbank-ctl"))
        _ = try admin.partitions(of: topics)  // a topic named here that does not exist is an error, not an empty row
        let reader = FleetGroup(stage: group, group: group, offsets: .kafka, inputs: topics, ownedTables: [])
        print(FleetLag.render(try FleetLag.measure([reader], admin: admin, db: nil)))
    }
}

struct Schemas: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the canonical models' JSON Schemas (generated from the record specs) into topics/schemas/.")

    @Option(help: "Folder to write into.") var directory = "topics/schemas"

    func run() throws {
        for model in CanonicalModel.allCases {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(CanonicalSchema.fileName(model))
            try Data(CanonicalSchema.document(model).encoded(indent: 2) + [0x0A]).write(to: path)
            print("wrote \(path.path)")
        }
    }
}

struct Roles: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Give each consumer's database role its login (after migrate, as the operator).",
        discussion: """
            Each stage's role and password come from its own URL, FOODBANK_<STAGE>_DATABASE_URL (or its _FILE), \
            the URL that stage connects with; a stage whose URL is not set is skipped. Passwords are never printed.
            """)

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let db = try PostgresConnection(url: try PostgresConfiguration.url())
        for role in ConsumerRole.all {
            guard let url = try role.url(in: environment) else {
                print("\(role.name): skipped (\(role.urlVariable) is not set)")
                continue
            }
            try role.grantLogin(from: url, in: db)
            print("\(role.name): login set")
        }
    }
}
