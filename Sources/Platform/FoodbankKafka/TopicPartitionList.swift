import CRdKafka

/// Bridges between Swift dictionaries of offsets and `rd_kafka_topic_partition_list_t`.
enum TopicPartitionList {
    /// A new list the caller must destroy with `rd_kafka_topic_partition_list_destroy`.
    static func make(_ offsets: [TopicPartition: Int64]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        for (tp, offset) in offsets.sorted(by: { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }) {
            rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition).pointee.offset = offset
        }
        return list
    }

    static func make(_ partitions: [TopicPartition]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        make(Dictionary(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) }, uniquingKeysWith: { a, _ in a }))
    }

    struct Entry {
        var topicPartition: TopicPartition
        var offset: Int64
        var error: rd_kafka_resp_err_t
    }

    static func entries(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [Entry] {
        (0..<Int(list.pointee.cnt)).map { i in
            let e = list.pointee.elems[i]
            return Entry(topicPartition: TopicPartition(topic: String(cString: e.topic), partition: e.partition),
                         offset: e.offset, error: e.err)
        }
    }

    static func withList<T>(_ offsets: [TopicPartition: Int64],
                            _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> T) rethrows -> T {
        let list = make(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return try body(list)
    }
}

/// Special offsets understood by librdkafka when seeking or assigning.
public enum KafkaOffset {
    public static let beginning = Int64(RD_KAFKA_OFFSET_BEGINNING)
    public static let end = Int64(RD_KAFKA_OFFSET_END)
    /// "Use the committed offset, else `auto.offset.reset`."
    public static let stored = Int64(RD_KAFKA_OFFSET_STORED)
    public static let invalid = Int64(RD_KAFKA_OFFSET_INVALID)
}
