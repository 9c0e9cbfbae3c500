import CRdKafka
import Logging

/// A member of a consumer group that reads records with blocking polls.
///
/// Not thread-safe: one thread polls it (the stage's loop). Rebalance callbacks run inside
/// ``poll(timeout:)`` on that thread, so they never race with the loop's own work.
public final class KafkaConsumer: @unchecked Sendable {
    private let client: RDKafkaClient
    private let rebalance: RebalanceState
    public let configuration: KafkaConsumerConfiguration
    private let logger: Logger
    private var closed = false
    /// Topic names by librdkafka topic handle: creating a String per record is measurable.
    private var topicNames: [OpaquePointer: String] = [:]

    public convenience init(configuration kafka: KafkaConfiguration, consumer: KafkaConsumerConfiguration,
                            listener: KafkaRebalanceListener? = nil, logger: Logger = Logger(label: "foodbank.kafka.consumer")) throws {
        try self.init(kafka, consumer, listener: listener, logger: logger, assigning: nil)
    }

    /// A consumer outside any group reading `offsets`' partitions from those offsets (a stage
    /// restoring its state from a changelog). It never joins the group named in `consumer`, and commits nothing.
    public convenience init(configuration kafka: KafkaConfiguration, consumer: KafkaConsumerConfiguration, reading offsets: [TopicPartition: Int64],
                            logger: Logger = Logger(label: "foodbank.kafka.reader")) throws {
        try self.init(kafka, consumer, listener: nil, logger: logger, assigning: offsets)
    }

    /// For a reader (``init(configuration:consumer:reading:logger:)``): hands every record to `handle`
    /// until each assigned partition reported its end. The end is librdkafka's partition EOF, which
    /// steps over transaction markers and, read_committed, stops at the last stable offset; a high
    /// watermark is no use here, since a partition's last offset is often a marker no reader sees.
    public func readToEnd(timeout: Duration, _ handle: (KafkaMessage) throws -> Void) throws {
        try readEachPartition(timeout: timeout, untilDone: { try handle($0); return false })
    }

    /// As ``readToEnd(timeout:_:)``, but a partition is also done as soon as `done` says so of one of its
    /// records (records of done partitions still fetched are not handed on).
    public func readEachPartition(timeout: Duration, untilDone done: (KafkaMessage) throws -> Bool) throws {
        var open = Set(try assignment())
        let deadline = ContinuousClock.now + timeout
        while !open.isEmpty {
            guard ContinuousClock.now < deadline else { throw ReadTimeout(timeout: timeout, unread: open.map(\.description).sorted()) }
            try throwIfBroken()
            guard let message = rd_kafka_consumer_poll(client.handle, 200) else { continue }
            defer { rd_kafka_message_destroy(message) }
            switch message.pointee.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                let record = copy(message)
                if open.contains(record.topicPartition), try done(record) { open.remove(record.topicPartition) }
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                open.remove(TopicPartition(topic: topicName(message.pointee.rkt), partition: message.pointee.partition))
            default:
                let error = KafkaError(code: message.pointee.err, context: "reading to the end", message: Self.payloadString(message.pointee))
                if error.isFatal { throw error }
                logger.warning("reader event", metadata: ["error": "\(error)"])
            }
        }
    }

    public struct ReadTimeout: Error, CustomStringConvertible {
        public let timeout: Duration
        public let unread: [String]
        public var description: String { "partitions not read to their end within \(timeout): \(unread)" }
    }

    private init(_ kafka: KafkaConfiguration, _ consumer: KafkaConsumerConfiguration, listener: KafkaRebalanceListener?, logger: Logger,
                 assigning offsets: [TopicPartition: Int64]?) throws {
        let rebalance = RebalanceState(listener: listener, logger: logger)
        let callbacks = ClientCallbacks(rebalanceHandler: { rk, err, list in rebalance.handle(rk, err, list) })
        // A reader needs end-of-partition events to know where the end is.
        let overrides = consumer.requiredProperties.merging(offsets == nil ? [:] : ["enable.partition.eof": "true"]) { _, reader in reader }
        self.client = try RDKafkaClient(role: .consumer, configuration: kafka, defaults: consumer.tunableProperties,
                                        overrides: overrides, callbacks: callbacks)
        self.rebalance = rebalance
        self.configuration = consumer
        self.logger = logger
        // Serve error and log callbacks from the consumer queue too, so one poll loop drives all.
        rd_kafka_poll_set_consumer(client.handle)
        if let offsets {
            try TopicPartitionList.withList(offsets) { list in
                let err = rd_kafka_assign(client.handle, list)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: err, context: "assigning \(offsets.keys.sorted { $0.description < $1.description })") }
            }
            return
        }
        let topics = TopicPartitionList.make(consumer.topics.map { TopicPartition(topic: $0, partition: Int32(RD_KAFKA_PARTITION_UA)) })
        defer { rd_kafka_topic_partition_list_destroy(topics) }
        let err = rd_kafka_subscribe(client.handle, topics)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: err, context: "subscribing group \(consumer.groupID) to \(consumer.topics)")
        }
    }

    deinit {
        close()
    }

    /// Counts rebalance events; a loop compares it before and after collecting a batch to learn
    /// that partitions moved under it.
    public var rebalanceGeneration: Int { rebalance.generation }

    /// The last background error librdkafka reported (broker unreachable, for example).
    public var lastBackgroundError: KafkaError? { client.callbacks.lastError }

    /// Waits up to `timeout` for one record. Returns `nil` on timeout.
    public func poll(timeout: Duration) throws -> KafkaMessage? {
        try throwIfBroken()
        guard let message = rd_kafka_consumer_poll(client.handle, timeout.milliseconds) else {
            try throwIfBroken()
            return nil
        }
        defer { rd_kafka_message_destroy(message) }
        let err = message.pointee.err
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let error = KafkaError(code: err, context: "consuming in group \(configuration.groupID)",
                                   message: Self.payloadString(message.pointee))
            client.callbacks.record(error)
            try throwIfBroken()
            if error.isFatal { throw error }
            logger.debug("consumer event", metadata: ["error": "\(error)"])
            return nil
        }
        return copy(message)
    }

    /// Waits up to `timeout` for the first record, then takes what is already fetched, up to `maxRecords`.
    public func pollBatch(maxRecords: Int, timeout: Duration) throws -> [KafkaMessage] {
        var batch: [KafkaMessage] = []
        guard let first = try poll(timeout: timeout) else { return batch }
        batch.reserveCapacity(min(maxRecords, 4096))
        batch.append(first)
        while batch.count < maxRecords, let next = try poll(timeout: .zero) {
            batch.append(next)
        }
        return batch
    }

    public func assignment() throws -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(client.handle, &list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { throw KafkaError(code: err, context: "reading the assignment") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return TopicPartitionList.entries(list).map(\.topicPartition)
    }

    /// The next offset poll will return per assigned partition (nil-free: partitions without a
    /// position yet are left out). It moves past transaction markers and aborted records as they are
    /// read, which a committed "last record + 1" never does.
    public func positions() throws -> [TopicPartition: Int64] {
        try positions(of: try assignment())
    }

    /// Records between this consumer's read position and each assigned partition's high watermark,
    /// from what the last fetches reported (no broker round trip); a partition not fetched yet is left out.
    public func lag() throws -> [TopicPartition: Int64] {
        let assigned = try assignment()
        let positions = try positions(of: assigned)
        var lag: [TopicPartition: Int64] = [:]
        for tp in assigned {
            var low: Int64 = 0
            var high: Int64 = 0
            guard rd_kafka_get_watermark_offsets(client.handle, tp.topic, tp.partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { continue }
            // Not positioned yet (nothing read): everything from the low watermark on is behind.
            lag[tp] = max(0, high - (positions[tp] ?? low))
        }
        return lag
    }

    private func positions(of partitions: [TopicPartition]) throws -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        return try TopicPartitionList.withList(Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.invalid) })) { list in
            let err = rd_kafka_position(client.handle, list)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: err, context: "reading positions") }
            var positions: [TopicPartition: Int64] = [:]
            for entry in TopicPartitionList.entries(list) where entry.offset >= 0 { positions[entry.topicPartition] = entry.offset }
            return positions
        }
    }

    /// Moves the read position of assigned partitions (used to rewind after an aborted transaction).
    public func seek(_ offsets: [TopicPartition: Int64], timeout: Duration = .seconds(10)) throws {
        guard !offsets.isEmpty else { return }
        try TopicPartitionList.withList(offsets) { list in
            if let error = rd_kafka_seek_partitions(client.handle, list, timeout.milliseconds) {
                throw KafkaError(consuming: error, context: "seeking \(offsets)")
            }
            for entry in TopicPartitionList.entries(list) where entry.error != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(code: entry.error, context: "seeking \(entry.topicPartition) to \(entry.offset)")
            }
        }
    }

    /// The group's committed offsets (the next offset to read) for `partitions`; missing means none.
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(10)) throws -> [TopicPartition: Int64] {
        try TopicPartitionList.withList(Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.invalid) })) { list in
            let err = rd_kafka_committed(client.handle, list, timeout.milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: err, context: "reading committed offsets") }
            var result: [TopicPartition: Int64] = [:]
            for entry in TopicPartitionList.entries(list) where entry.offset >= 0 { result[entry.topicPartition] = entry.offset }
            return result
        }
    }

    /// Commits offsets (next offset to read) synchronously, for consumers that keep offsets in Kafka
    /// without a transaction.
    public func commit(_ offsets: [TopicPartition: Int64]) throws {
        guard !offsets.isEmpty else { return }
        try TopicPartitionList.withList(offsets) { list in
            let err = rd_kafka_commit(client.handle, list, 0)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: err, context: "committing \(offsets)") }
        }
    }

    /// The group generation and member id, for `sendOffsetsToTransaction` (KIP-447 fencing).
    public func groupMetadata() throws -> KafkaConsumerGroupMetadata {
        guard let metadata = rd_kafka_consumer_group_metadata(client.handle) else {
            throw KafkaError.configuration("consumer has no group metadata (is group.id set?)")
        }
        return KafkaConsumerGroupMetadata(pointer: metadata)
    }

    /// Leaves the group (revoking partitions through the listener). Idempotent.
    public func close() {
        guard !closed else { return }
        closed = true
        let err = rd_kafka_consumer_close(client.handle)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("closing consumer", metadata: ["error": "\(KafkaError(code: err, context: "closing the consumer"))"])
        }
    }

    private func throwIfBroken() throws {
        if let failure = rebalance.takeAssignmentFailure() { throw failure }
        if let fatal = client.fatalError(context: "consuming in group \(configuration.groupID)") { throw fatal }
    }

    private static func payloadString(_ message: rd_kafka_message_t) -> String? {
        guard let payload = message.payload, message.len > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: payload, count: message.len), as: UTF8.self)
    }

    private func topicName(_ rkt: OpaquePointer) -> String {
        if let name = topicNames[rkt] { return name }
        let name = String(cString: rd_kafka_topic_name(rkt))
        topicNames[rkt] = name
        return name
    }

    private func copy(_ pointer: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaMessage {
        let m = pointer.pointee
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(pointer, &timestampType)
        var headers: [KafkaHeader] = []
        var hdrs: OpaquePointer?
        if rd_kafka_message_headers(pointer, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            var index = 0
            var name: UnsafePointer<CChar>?
            var data: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(hdrs, index, &name, &data, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(KafkaHeader(name: String(cString: name!), value: data.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
                index += 1
            }
        }
        return KafkaMessage(topic: topicName(m.rkt), partition: m.partition, offset: m.offset,
                            key: key, value: value,
                            timestampMillis: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp,
                            headers: headers)
    }
}

/// A consumer's group generation and member id, passed to a transaction so the broker can
/// reject offsets from a member that has been fenced by a rebalance (KIP-447).
public final class KafkaConsumerGroupMetadata: @unchecked Sendable {
    let pointer: OpaquePointer
    init(pointer: OpaquePointer) { self.pointer = pointer }
    deinit { rd_kafka_consumer_group_metadata_destroy(pointer) }
}

/// Runs the rebalance protocol on behalf of a consumer: eager or cooperative, whichever the
/// group negotiated, with start offsets from the listener.
final class RebalanceState: @unchecked Sendable {
    private let listener: KafkaRebalanceListener?
    private let logger: Logger
    private(set) var generation = 0
    private var assignmentFailure: Error?

    init(listener: KafkaRebalanceListener?, logger: Logger) {
        self.listener = listener
        self.logger = logger
    }

    func takeAssignmentFailure() -> Error? {
        defer { assignmentFailure = nil }
        return assignmentFailure
    }

    func handle(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        generation += 1
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let partitions = TopicPartitionList.entries(list).map(\.topicPartition)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            logger.info("partitions assigned", metadata: ["partitions": "\(partitions)"])
            var failed = false
            do {
                let starts = try listener?.partitionsAssigned(partitions) ?? [:]
                for i in 0..<Int(list.pointee.cnt) {
                    let tp = TopicPartition(topic: String(cString: list.pointee.elems[i].topic), partition: list.pointee.elems[i].partition)
                    if let start = starts[tp] { list.pointee.elems[i].offset = start }
                }
            } catch {
                assignmentFailure = error
                failed = true
            }
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, list) { assignmentFailure = KafkaError(consuming: error, context: "incremental assign") }
            } else {
                let e = rd_kafka_assign(rk, list)
                if e != RD_KAFKA_RESP_ERR_NO_ERROR { assignmentFailure = KafkaError(code: e, context: "assign") }
            }
            // Never read from a guessed position: hold the partitions until the process restarts.
            if failed { rd_kafka_pause_partitions(rk, list) }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            logger.info("partitions revoked", metadata: ["partitions": "\(partitions)"])
            listener?.partitionsRevoked(partitions)
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, list) { rd_kafka_error_destroy(error) }
            } else {
                rd_kafka_assign(rk, nil)
            }
        default:
            logger.warning("rebalance error", metadata: ["error": "\(KafkaError(code: err, context: "rebalancing"))"])
            listener?.partitionsRevoked(partitions)
            rd_kafka_assign(rk, nil)
        }
    }
}
