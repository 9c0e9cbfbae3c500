/// One partition of one topic.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A record read from Kafka, copied out of librdkafka's buffers.
public struct KafkaMessage: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    /// `nil` is a tombstone.
    public var value: [UInt8]?
    /// Milliseconds since the epoch (producer create time or log append time).
    public var timestampMillis: Int64?
    public var headers: [KafkaHeader]

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
                timestampMillis: Int64? = nil, headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestampMillis = timestampMillis
        self.headers = headers
    }

    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// Where the record came from, for error messages and dead letters.
    public var coordinates: String { "\(topic)[\(partition)]@\(offset)" }

    public func header(_ name: String) -> [UInt8]? { headers.first { $0.name == name }?.value }
}

public struct KafkaHeader: Sendable, Equatable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    public init(name: String, string: String) {
        self.init(name: name, value: Array(string.utf8))
    }
}

/// A record to write.
public struct KafkaRecord: Sendable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]?
    /// `nil` lets the partitioner choose from the key (murmur2, as the Java client does).
    public var partition: Int32?
    public var headers: [KafkaHeader]

    public init(topic: String, key: [UInt8]?, value: [UInt8]?, partition: Int32? = nil, headers: [KafkaHeader] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.partition = partition
        self.headers = headers
    }
}

/// A partition's offsets range: `low` is the first offset still held, `high` the offset the next
/// record will get (lag is `high - committed`). Tansu under-reports `high` after multi-record batches.
public struct Watermarks: Sendable, Equatable {
    public var low: Int64
    public var high: Int64
}
