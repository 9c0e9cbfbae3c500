// normalize: raw CDC and feed records to canonical events, Kafka to Kafka exactly once (transactional
// relay with offsets in the transaction); bad records to foodbank.dlq.normalize with their reason.
// Today: the movement sources (warehouse inventory transactions, feeds 5 and 6) to inventory_events.
//
// Environment: KAFKA_BOOTSTRAP_SERVERS, KAFKA_PROPERTY_*, FOODBANK_INSTANCE_ID.
import ArgumentParser
import FoodbankCanonical
import FoodbankKafka
import FoodbankStreaming
import Foundation
import Logging

@main
struct Normalize: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "normalize", abstract: "Normalize raw source records into canonical events.")

    @Option(help: "Consumer group.") var group = "normalize"
    @Option(help: "Warehouse movements CDC topic.") var warehouseTopic = "foodbank.cdc.warehouse.wms.inventory_transactions"
    @Option(help: "Feed 5 topic.") var legacyTopic = "foodbank.files.legacy_wms"
    @Option(help: "Feed 6 topic.") var adjustmentsTopic = "foodbank.files.adjustments"
    @Option(help: "Canonical inventory events topic.") var inventoryTopic = "foodbank.canonical.inventory_events"
    @Option(help: "Dead-letter topic.") var deadLetterTopic = "foodbank.dlq.normalize"
    @Option(help: "Records per transaction.") var batch = 2000

    func run() throws {
        var logger = Logger(label: "foodbank.normalize")
        logger.logLevel = .info
        let stop = StopSignal()
        stop.installSignalHandlers()
        let sources: [String: RawSource] = [warehouseTopic: .warehouseMovements, legacyTopic: .legacyFeed, adjustmentsTopic: .adjustmentsFeed]
        var configuration = TransactionalRelay.Configuration(stage: "normalize", groupID: group, inputTopics: sources.keys.sorted(),
                                                             transactionalID: "\(group)-\(StageIdentity.instanceID())",
                                                             deadLetterTopic: deadLetterTopic)
        configuration.maxBatchRecords = batch
        let output = inventoryTopic
        let relay = TransactionalRelay(kafka: try KafkaConfiguration.fromEnvironment(clientID: "normalize"), configuration: configuration,
                                       logger: logger) { message in
            guard let source = sources[message.topic] else { throw RejectedRecord("no normalization rule for topic \(message.topic)") }
            do {
                return try source.inventoryEvents(message.value, processedAt: Date()).map { event in
                    KafkaRecord(topic: output, key: Array(event.key.utf8), value: event.json().encoded(),
                                headers: [KafkaHeader(name: "foodbank.event_id", string: event.eventID),
                                          KafkaHeader(name: "foodbank.source", string: message.coordinates)])
                }
            } catch let rejection as Rejection {
                throw RejectedRecord(rejection.reason)
            }
        }
        try relay.run(until: stop)
    }
}
