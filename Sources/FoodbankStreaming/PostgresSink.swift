import FoodbankKafka
import FoodbankPostgres
import Foundation
import Logging

/// The Kafka-to-PostgreSQL exactly-once loop (reconcile, dq, the self-check sink): each batch's
/// rows and its offsets commit in one database transaction; on assignment the consumer seeks to
/// the stored offsets. Kafka's own committed offsets are never used.
///
/// Two more defences: a batch lands only if the stored offsets are still the ones this instance
/// read (a zombie that lost its partitions cannot write), and the handler writes idempotently by
/// event id, so an upstream record delivered twice changes nothing the second time.
public final class PostgresSink: KafkaRebalanceListener, @unchecked Sendable {
    public struct Configuration: Sendable {
        public var stage: String
        public var groupID: String
        public var inputTopics: [String]
        public var maxBatchRecords = 5000
        public var pollTimeout: Duration = .milliseconds(500)

        public init(stage: String, groupID: String, inputTopics: [String]) {
            self.stage = stage
            self.groupID = groupID
            self.inputTopics = inputTopics
        }
    }

    /// Writes one batch inside the open transaction. Must be idempotent by event id.
    public typealias Handler = (_ batch: [KafkaMessage], _ db: PostgresConnection) throws -> Void

    private let kafka: KafkaConfiguration
    private let databaseURL: String
    public let configuration: Configuration
    private let handler: Handler
    private let logger: Logger
    private let offsets: StoredOffsets
    public let statistics = StageStatistics()

    private var db: PostgresConnection?
    /// What this instance believes is stored for each partition it owns (nil: no row yet).
    private var owned: [TopicPartition: Int64?] = [:]

    public init(kafka: KafkaConfiguration, databaseURL: String, configuration: Configuration, logger: Logger, handler: @escaping Handler) {
        self.kafka = kafka
        self.databaseURL = databaseURL
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.offsets = StoredOffsets(group: configuration.groupID)
    }

    public func run(until stop: StopSignal) throws {
        db = try PostgresConnection(url: databaseURL, timeout: .seconds(120), logger: logger)
        let consumer = try KafkaConsumer(configuration: kafka,
                                         consumer: KafkaConsumerConfiguration(groupID: configuration.groupID, topics: configuration.inputTopics),
                                         listener: self, logger: logger)
        defer { consumer.close() }
        logger.info("sink started", metadata: ["stage": "\(configuration.stage)", "group": "\(configuration.groupID)"])
        while !stop.isStopped {
            let generation = consumer.rebalanceGeneration
            let batch = try consumer.pollBatch(maxRecords: configuration.maxBatchRecords, timeout: configuration.pollTimeout)
            guard !batch.isEmpty else { continue }
            // Partitions moved while the batch was collected: drop it and read every owned partition
            // again from its stored offset (records fetched after the assignment were in the batch).
            guard consumer.rebalanceGeneration == generation else {
                try reseek(consumer)
                continue
            }
            do {
                try commit(batch)
                statistics.committed(records: batch.count, deadLettered: 0)
            } catch let error as PostgresError where error.isConnectionFailure {
                statistics.aborted()
                logger.warning("database connection lost; reconnecting and re-reading from stored offsets", metadata: ["error": "\(error)"])
                try db?.reconnect(timeout: .seconds(300))
                try reseek(consumer)
            } catch let error as PostgresError where error.isRetriableTransactionConflict {
                statistics.aborted()
                try reseek(consumer)
            } catch let conflict as OffsetConflict {
                // Another instance owns this progress now; a rebalance is on its way.
                statistics.aborted()
                logger.warning("offset conflict; re-reading stored offsets", metadata: ["conflict": "\(conflict)"])
                try reseek(consumer)
            }
        }
        logger.info("sink stopping", metadata: ["processed": "\(statistics.processed)"])
    }

    /// Writes the records of owned partitions and advances their stored offsets, in one transaction.
    private func commit(_ batch: [KafkaMessage]) throws {
        guard let db else { return }
        let owned = self.owned
        let batchForOwned = batch.filter { owned[$0.topicPartition] != nil }
        guard !batchForOwned.isEmpty else { return }
        let positions = BatchPositions(batchForOwned)
        try db.transaction { db in
            try handler(batchForOwned, db)
            try offsets.advance(from: owned.filter { positions.partitions.contains($0.key) }, to: positions.next, in: db)
        }
        for (tp, next) in positions.next { self.owned[tp] = .some(next) }
    }

    /// Re-reads stored offsets for every owned partition and moves the consumer there.
    private func reseek(_ consumer: KafkaConsumer) throws {
        guard let db else { return }
        let partitions = Array(owned.keys)
        let stored = try offsets.load(partitions, from: db)
        for tp in partitions { owned[tp] = stored[tp].map { .some($0) } ?? .some(nil) }
        try consumer.seek(Dictionary(uniqueKeysWithValues: partitions.map { ($0, stored[$0] ?? KafkaOffset.beginning) }))
    }

    // MARK: KafkaRebalanceListener

    public func partitionsAssigned(_ partitions: [TopicPartition]) throws -> [TopicPartition: Int64] {
        guard let db else { throw PostgresError(sqlState: nil, message: "no database connection", context: "assigning partitions", isConnectionFailure: true) }
        let stored = try loadRetrying(partitions, db)
        var starts: [TopicPartition: Int64] = [:]
        for tp in partitions {
            owned[tp] = stored[tp].map { .some($0) } ?? .some(nil)
            starts[tp] = stored[tp] ?? KafkaOffset.beginning
        }
        logger.info("seeking to stored offsets", metadata: ["offsets": "\(starts)"])
        return starts
    }

    public func partitionsRevoked(_ partitions: [TopicPartition]) {
        for tp in partitions { owned.removeValue(forKey: tp) }
    }

    private func loadRetrying(_ partitions: [TopicPartition], _ db: PostgresConnection) throws -> [TopicPartition: Int64] {
        do {
            return try offsets.load(partitions, from: db)
        } catch let error as PostgresError where error.isConnectionFailure {
            logger.warning("database lost during assignment; reconnecting", metadata: ["error": "\(error)"])
            try db.reconnect(timeout: .seconds(120))
            return try offsets.load(partitions, from: db)
        }
    }
}
