import FoodbankKafka

/// Where a batch starts and ends in each partition: the offsets to commit after it (next to read)
/// and the offsets to rewind to if its transaction is abandoned.
public struct BatchPositions: Sendable, Equatable {
    public private(set) var first: [TopicPartition: Int64] = [:]
    public private(set) var next: [TopicPartition: Int64] = [:]

    public init(_ messages: [KafkaMessage]) {
        for message in messages {
            let tp = message.topicPartition
            if first[tp] == nil { first[tp] = message.offset }
            next[tp] = max(next[tp] ?? 0, message.offset + 1)
        }
    }

    public var partitions: Set<TopicPartition> { Set(first.keys) }
}
