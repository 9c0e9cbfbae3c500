// normalize: raw CDC and feed records to the canonical models, Kafka to Kafka exactly once
// (transactional relay, offsets in the transaction, read_committed); bad records to
// foodbank.dlq.normalize with their reason. Inputs and outputs are the topics topics/topics.json declares.
//
// Environment: KAFKA_BOOTSTRAP_SERVERS, KAFKA_PROPERTY_*, FOODBANK_DATABASE_URL (header keys for
// lines), FOODBANK_INSTANCE_ID, FOODBANK_TOPICS_FILE.
import ArgumentParser
import FoodbankCanonical
import FoodbankKafka
import FoodbankMetrics
import FoodbankNormalize
import FoodbankPostgres
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

@main
struct Normalize: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "normalize", abstract: "Normalize raw source records into canonical records.")

    @Option(help: "Consumer group.") var group = "normalize"
    @Option(help: "Suffix appended to every topic name (tests run beside each other on one broker).") var topicSuffix = ""
    @Option(help: "Records per transaction.") var batch = 2000
    @Option(help: "Seconds a line may wait for its header before it is dead-lettered.") var maxWaitSeconds = 900
    @Option(help: "Port of /metrics, /healthz and /readyz (default: $FOODBANK_METRICS_PORT, else 9400).") var metricsPort: Int?

    func run() throws {
        var logger = Logger(label: "foodbank.normalize")
        logger.logLevel = .info
        let stop = StopSignal()
        stop.installSignalHandlers()
        let names = TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: topicSuffix)
        let topics = try NormalizeStage.Topics.declared(names)
        let db = try PostgresConnection(url: try PostgresConfiguration.url(), logger: logger)
        let stage = NormalizeStage(topics: topics, parents: ParentKeys(db: db), maxWait: .seconds(maxWaitSeconds))
        var configuration = TransactionalRelay.Configuration(stage: "normalize", groupID: group, inputTopics: topics.sources.keys.sorted(),
                                                             transactionalID: "\(group)-\(StageIdentity.instanceID())",
                                                             deadLetterTopic: try names.name("foodbank.dlq.normalize"))
        configuration.maxBatchRecords = batch
        let relay = TransactionalRelay(kafka: try KafkaConfiguration.fromEnvironment(clientID: "normalize"), configuration: configuration,
                                       logger: logger, stage: stage)
        relay.observer = try StageMetrics.serve(stage: "normalize", port: metricsPort, logger: logger)
        try relay.run(until: stop)
    }
}
