import FoodbankKafka
import Foundation
import Logging

/// Reads changelog partitions from the beginning to their end, outside any consumer group.
public struct ChangelogReader: Sendable {
    public let kafka: KafkaConfiguration
    public let topic: String
    /// How long to wait for the readable end (an open transaction on the changelog holds it back
    /// until the transaction ends or times out).
    public var timeout: Duration = .seconds(300)

    public init(kafka: KafkaConfiguration, topic: String) {
        self.kafka = kafka
        self.topic = topic
    }

    public func read(partitions: [Int32], logger: Logger, handle: (ChangelogEntry.Decoded) -> Void) throws {
        guard !partitions.isEmpty else { return }
        let tps = partitions.map { TopicPartition(topic: topic, partition: $0) }
        let reader = try KafkaConsumer(configuration: kafka, consumer: KafkaConsumerConfiguration(groupID: "foodbank-changelog-reader", topics: []),
                                       reading: Dictionary(uniqueKeysWithValues: tps.map { ($0, KafkaOffset.beginning) }), logger: logger)
        defer { reader.close() }
        try reader.readToEnd(timeout: timeout) { message in
            if let decoded = ChangelogEntry.decode(key: message.key, value: message.value) { handle(decoded) }
        }
    }
}
