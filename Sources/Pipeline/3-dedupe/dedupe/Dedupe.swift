// dedupe: each canonical event id once, from foodbank.canonical.* to foodbank.unique.*, Kafka to
// Kafka exactly once; its seen ids live in a window per partition, rebuilt from
// foodbank.state.dedupe_changelog (written in the same transaction) when partitions move.
//
// Environment: KAFKA_BOOTSTRAP_SERVERS, KAFKA_PROPERTY_*, FOODBANK_INSTANCE_ID, FOODBANK_TOPICS_FILE.
import ArgumentParser
import FoodbankCanonical
import FoodbankDedupe
import FoodbankKafka
import FoodbankMetrics
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

@main
struct Dedupe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dedupe", abstract: "Pass each canonical event id once.")

    @Option(help: "Consumer group.") var group = "dedupe"
    @Option(help: "Suffix appended to every topic name (tests run beside each other on one broker).") var topicSuffix = ""
    @Option(help: "Records per transaction.") var batch = 2000
    @Option(help: "Days an id is remembered (longer than the canonical topics' retention).") var windowDays = 15
    @Option(help: "Ids remembered per input partition at most.") var capacityPerPartition = 4_000_000
    @Option(help: "Port of /metrics, /healthz and /readyz (default: $FOODBANK_METRICS_PORT, else 9400).") var metricsPort: Int?

    func run() throws {
        var logger = Logger(label: "foodbank.dedupe")
        logger.logLevel = .info
        let stop = StopSignal()
        stop.installSignalHandlers()
        let names = TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: topicSuffix)
        let kafka = try KafkaConfiguration.fromEnvironment(clientID: "dedupe")
        var stageConfiguration = try DedupeStage.Configuration.declared(names, models: CanonicalOutput.models)
        stageConfiguration.window = .seconds(windowDays * 24 * 3600)
        stageConfiguration.capacityPerPartition = capacityPerPartition
        let reader = ChangelogReader(kafka: kafka, topic: stageConfiguration.changelogTopic)
        let stage = DedupeStage(configuration: stageConfiguration, logger: logger) { partitions, handle in
            try reader.read(partitions: partitions, logger: logger, handle: handle)
        }
        var configuration = TransactionalRelay.Configuration(stage: "dedupe", groupID: group, inputTopics: stageConfiguration.outputs.keys.sorted(),
                                                             transactionalID: "\(group)-\(StageIdentity.instanceID())",
                                                             deadLetterTopic: try names.name("foodbank.dlq.dedupe"))
        configuration.maxBatchRecords = batch
        let relay = TransactionalRelay(kafka: kafka, configuration: configuration, logger: logger, stage: stage)
        relay.observer = try StageMetrics.serve(stage: "dedupe", port: metricsPort, logger: logger)
        try relay.run(until: stop)
        logger.info("dedupe stopped", metadata: ["duplicates_dropped": "\(stage.duplicatesDropped)"])
    }
}
