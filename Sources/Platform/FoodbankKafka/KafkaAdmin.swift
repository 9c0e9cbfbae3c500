import CRdKafka
import Logging

/// Cluster administration: topics, watermarks, group offsets. Every call blocks up to its timeout.
public final class KafkaAdmin: @unchecked Sendable {
    private let client: RDKafkaClient
    private let configuration: KafkaConfiguration

    public init(configuration: KafkaConfiguration) throws {
        self.configuration = configuration
        self.client = try RDKafkaClient(role: .producer, configuration: configuration)
    }

    public struct NewTopic: Sendable, Equatable {
        public var name: String
        public var partitions: Int
        public var replicationFactor: Int
        public var config: [String: String]

        public init(name: String, partitions: Int, replicationFactor: Int = 1, config: [String: String] = [:]) {
            self.name = name
            self.partitions = partitions
            self.replicationFactor = replicationFactor
            self.config = config
        }
    }

    public enum CreateOutcome: String, Sendable { case created, alreadyExists = "already-exists" }

    /// Creates the topics that do not exist yet; existing ones are reported, not changed.
    public func createTopics(_ topics: [NewTopic], timeout: Duration = .seconds(30)) throws -> [String: CreateOutcome] {
        guard !topics.isEmpty else { return [:] }
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { newTopics.forEach { rd_kafka_NewTopic_destroy($0) } }
        for topic in topics {
            guard let nt = rd_kafka_NewTopic_new(topic.name, Int32(topic.partitions), Int32(topic.replicationFactor), &errstr, errstr.count) else {
                throw KafkaError.configuration("topic \(topic.name): \(String(cString: errstr))")
            }
            newTopics.append(nt)
            for (key, value) in topic.config.sorted(by: { $0.key < $1.key }) {
                let err = rd_kafka_NewTopic_set_config(nt, key, value)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: err, context: "topic \(topic.name) config \(key)") }
            }
        }
        let queue = rd_kafka_queue_new(client.handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errstr, errstr.count)
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(client.handle, buffer.baseAddress, buffer.count, options, queue)
        }
        guard let event = rd_kafka_queue_poll(queue, timeout.milliseconds + 5000) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT, context: "creating topics")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventErr = rd_kafka_event_error(event)
        guard eventErr == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: eventErr, context: "creating topics", message: String(cString: rd_kafka_event_error_string(event)))
        }
        var count = 0
        let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
        var outcome: [String: CreateOutcome] = [:]
        for i in 0..<count {
            let result = results![i]
            let name = String(cString: rd_kafka_topic_result_name(result))
            let err = rd_kafka_topic_result_error(result)
            switch err {
            case RD_KAFKA_RESP_ERR_NO_ERROR: outcome[name] = .created
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: outcome[name] = .alreadyExists
            default:
                let message = rd_kafka_topic_result_error_string(result).map { String(cString: $0) }
                throw KafkaError(code: err, context: "creating topic \(name)", message: message)
            }
        }
        return outcome
    }

    /// Partition count of every topic the cluster knows.
    public func topicPartitionCounts(timeout: Duration = .seconds(10)) throws -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(client.handle, 1, nil, &metadata, timeout.milliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(code: err, context: "reading cluster metadata") }
        defer { rd_kafka_metadata_destroy(metadata) }
        var counts: [String: Int] = [:]
        for i in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[i]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            counts[String(cString: topic.topic)] = Int(topic.partition_cnt)
        }
        return counts
    }


    public func watermarks(_ partition: TopicPartition, timeout: Duration = .seconds(10)) throws -> Watermarks {
        try client.watermarks(partition, timeout: timeout)
    }

    /// The earliest offset whose timestamp is at or after `timestampMillis`, per partition
    /// (the high watermark where no such record exists).
    public func offsets(forTimestamp timestampMillis: Int64, partitions: [TopicPartition],
                        timeout: Duration = .seconds(10)) throws -> [TopicPartition: Int64] {
        try TopicPartitionList.withList(Dictionary(uniqueKeysWithValues: partitions.map { ($0, timestampMillis) })) { list in
            let err = rd_kafka_offsets_for_times(client.handle, list, timeout.milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: err, context: "looking up offsets for a timestamp") }
            var result: [TopicPartition: Int64] = [:]
            for entry in TopicPartitionList.entries(list) {
                guard entry.error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError(code: entry.error, context: "offset for timestamp in \(entry.topicPartition)")
                }
                result[entry.topicPartition] = entry.offset >= 0 ? entry.offset : try watermarks(entry.topicPartition).high
            }
            return try checkedAgainstRecords(result, timestampMillis: timestampMillis)
        }
    }

    /// Each partition's end: past its last record, whatever the broker's high watermark says (the
    /// local broker's is the last batch's base offset + 1).
    public func endOffsets(_ partitions: [TopicPartition]) throws -> [TopicPartition: Int64] {
        let highs = Dictionary(uniqueKeysWithValues: try partitions.map { ($0, try self.watermarks($0).high) })
        return try checkedAgainstRecords(highs, timestampMillis: .max)
    }

    /// The broker's answers, moved past any record older than the timestamp: the local broker
    /// (Tansu 0.6.0) answers a time after every record with its last batch's base offset, so a
    /// replay from "now" read that batch again (seen in `Integration/RowStateConversion`). Reads at
    /// most up to each partition's first record at or after the time.
    private func checkedAgainstRecords(_ offsets: [TopicPartition: Int64], timestampMillis: Int64) throws -> [TopicPartition: Int64] {
        guard !offsets.isEmpty else { return offsets }
        let reader = try KafkaConsumer(configuration: configuration, consumer: KafkaConsumerConfiguration(groupID: "foodbank-offsets-for-time", topics: []),
                                       reading: offsets)
        defer { reader.close() }
        var checked = offsets
        try reader.readEachPartition(timeout: .seconds(60), untilDone: { record in
            guard (record.timestampMillis ?? .max) < timestampMillis else { return true }
            checked[record.topicPartition] = record.offset + 1
            return false
        })
        return checked
    }

    /// Every partition of `topics`.
    public func partitions(of topics: [String]) throws -> [TopicPartition] {
        let counts = try topicPartitionCounts()
        return try topics.flatMap { topic -> [TopicPartition] in
            guard let count = counts[topic] else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, context: "looking up topic \(topic)")
            }
            return (0..<count).map { TopicPartition(topic: topic, partition: Int32($0)) }
        }
    }

    /// A group's committed offsets for `partitions` (partitions without one are left out).
    public func groupOffsets(group: String, partitions: [TopicPartition], timeout: Duration = .seconds(10)) throws -> [TopicPartition: Int64] {
        try withGroupHandle(group) { handle in
            try TopicPartitionList.withList(Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.invalid) })) { list in
                let err = rd_kafka_committed(handle, list, timeout.milliseconds)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: err, context: "reading offsets of group \(group)") }
                var result: [TopicPartition: Int64] = [:]
                for entry in TopicPartitionList.entries(list) where entry.offset >= 0 { result[entry.topicPartition] = entry.offset }
                return result
            }
        }
    }

    /// Overwrites a group's committed offsets. The broker refuses while the group has live members.
    public func alterGroupOffsets(group: String, offsets: [TopicPartition: Int64]) throws {
        try withGroupHandle(group) { handle in
            try TopicPartitionList.withList(offsets) { list in
                let err = rd_kafka_commit(handle, list, 0)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: err, context: "altering offsets of group \(group)") }
                for entry in TopicPartitionList.entries(list) where entry.error != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaError(code: entry.error, context: "altering offset of group \(group) on \(entry.topicPartition)")
                }
            }
        }
    }

    public struct GroupDescription: Sendable, Equatable {
        public var group: String
        public var state: String
        public var memberCount: Int
    }

    /// The group's state and live member count (`memberCount == 0` when it is empty or unknown).
    public func describeGroup(_ group: String, timeout: Duration = .seconds(10)) throws -> GroupDescription {
        var list: UnsafePointer<rd_kafka_group_list>?
        let err = rd_kafka_list_groups(client.handle, group, &list, timeout.milliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { throw KafkaError(code: err, context: "describing group \(group)") }
        defer { rd_kafka_group_list_destroy(list) }
        guard list.pointee.group_cnt > 0 else { return GroupDescription(group: group, state: "Dead", memberCount: 0) }
        let info = list.pointee.groups[0]
        return GroupDescription(group: group, state: info.state.map { String(cString: $0) } ?? "Unknown",
                                memberCount: Int(info.member_cnt))
    }

    /// A consumer handle with `group.id` set that never subscribes: it reads and writes the
    /// group's offsets without joining it.
    private func withGroupHandle<T>(_ group: String, _ body: (OpaquePointer) throws -> T) throws -> T {
        let handle = try RDKafkaClient(role: .consumer, configuration: configuration,
                                       overrides: ["group.id": group, "enable.auto.commit": "false"])
        return try body(handle.handle)
    }
}
