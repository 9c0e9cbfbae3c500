// cdc: the local stand-in for Kafka Connect + Debezium (which cannot run on the development
// machines). Reads each source database's logical replication slot (wal2json) through libpq and
// publishes Debezium envelopes to the same topics, after an initial snapshot.
//
// Environment: FOODBANK_SOURCE_DATABASE_URL_TEMPLATE, FOODBANK_DATABASE_URL (slot bookkeeping),
// KAFKA_BOOTSTRAP_SERVERS, KAFKA_PROPERTY_*.
import ArgumentParser
import FoodbankCDC
import FoodbankKafka
import FoodbankPostgres
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

@main
struct CDC: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cdc", abstract: "Capture the source databases into Debezium-format topics.")

    @Option(parsing: .upToNextOption, help: "Source databases to capture.") var databases = CDCConfiguration.databases
    @Option(help: "Topic prefix root: topics are <root>.<db>.<schema>.<table>.") var topicRoot = "foodbank.cdc"
    @Option(help: "Slot name prefix: slots are <prefix>_<db>.") var slotPrefix = "foodbank"
    @Option(help: "Suffix appended to every topic name (tests run beside each other on one broker).") var topicSuffix = ""
    @Option(help: "Idle wait between polls, in milliseconds.") var idleMillis = 200
    @Flag(help: "Exit once the slots are drained (benchmarks, one-off catch-up).") var exitWhenIdle = false

    func run() throws {
        var logger = Logger(label: "foodbank.cdc")
        logger.logLevel = .info
        let stop = StopSignal()
        stop.installSignalHandlers()
        let catalog = try TopicCatalog.loadDefault()
        let kafka = try KafkaConfiguration.fromEnvironment(clientID: "cdc")
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let state = try PostgresConnection(url: try PostgresConfiguration.url(), logger: logger)
        let sources = try databases.map { database -> CDCSource in
            // The captured tables are the declared CDC topics of this database.
            let declared = "foodbank.cdc.\(database)."
            let tables = catalog.names(withPrefix: declared).map { String($0.dropFirst(declared.count)) }
            guard !tables.isEmpty else { throw ValidationError("no topics are declared for database \(database)") }
            var configuration = CDCSource.Configuration(database: database, sourceURL: try CDCConfiguration.sourceURL(for: database),
                                                        topicPrefix: "\(topicRoot).\(database)", slotName: "\(slotPrefix)_\(database)",
                                                        tables: tables)
            configuration.topicName = { [names = TopicNames(catalog: catalog, suffix: topicSuffix)] in names.applied($0) }
            return CDCSource(configuration: configuration, producer: producer, state: state, logger: logger)
        }
        for source in sources { try source.prepare() }
        logger.info("capturing", metadata: ["databases": "\(databases)", "topic_root": "\(topicRoot)"])
        let started = ContinuousClock.now
        let snapshotEvents = sources.map(\.eventsPublished).reduce(0, +)
        while !stop.isStopped {
            var published = 0
            for source in sources { published += try source.poll() }
            if published == 0 {
                if exitWhenIdle { break }
                Thread.sleep(forTimeInterval: Double(idleMillis) / 1000)
            }
        }
        if exitWhenIdle {
            let streamed = sources.map(\.eventsPublished).reduce(0, +) - snapshotEvents
            let seconds = (ContinuousClock.now - started).inSeconds
            print(String(format: "cdc streamed %d change events in %.2f s: %.0f events/s", streamed, seconds, Double(streamed) / max(seconds, 1e-9)))
        }
        try producer.flush()
        logger.info("stopped", metadata: ["events": "\(sources.map(\.eventsPublished).reduce(0, +))"])
    }
}
