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
        var remaining = Dictionary(uniqueKeysWithValues: try tps.map { ($0, try reader.watermarks($0).high) }.filter { $0.1 > 0 })
        let deadline = ContinuousClock.now + timeout
        // The end is reached when every partition's position passed its high watermark and nothing
        // more is already fetched (the local broker reports a batch's base offset as the watermark,
        // so the rest of that batch arrives with it and is drained by the empty poll).
        var drained = false
        while !(remaining.isEmpty && drained) {
            guard ContinuousClock.now < deadline else {
                throw ChangelogReadTimeout(topic: topic, timeout: timeout, unread: remaining.keys.map(\.description).sorted())
            }
            guard let message = try reader.poll(timeout: .milliseconds(remaining.isEmpty ? 50 : 500)) else {
                drained = remaining.isEmpty
                continue
            }
            drained = false
            if let end = remaining[message.topicPartition], message.offset + 1 >= end { remaining[message.topicPartition] = nil }
            if let decoded = ChangelogEntry.decode(key: message.key, value: message.value) { handle(decoded) }
        }
    }
}

public struct ChangelogReadTimeout: Error, CustomStringConvertible {
    public let topic: String
    public let timeout: Duration
    public let unread: [String]
    public var description: String { "changelog \(topic) not read to its end within \(timeout): \(unread) unread" }
}
