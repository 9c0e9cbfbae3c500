/// Told about partition movements, on the thread that polls the consumer.
public protocol KafkaRebalanceListener: AnyObject {
    /// Partitions were assigned. Return the offset each should start from when the platform
    /// keeps offsets outside Kafka (in PostgreSQL, next to the data); partitions left out start
    /// from the group's committed offset. Throwing pauses the partitions and makes the next
    /// poll throw: the process should stop rather than read from a guessed position.
    func partitionsAssigned(_ partitions: [TopicPartition]) throws -> [TopicPartition: Int64]

    /// Partitions were taken away. Called before they move, so open work on them can be dropped.
    func partitionsRevoked(_ partitions: [TopicPartition])
}
