import FoodbankKafka
import FoodbankPostgres
import Foundation
import Logging

/// What a batch produced besides its rows.
public struct SinkOutcome: Sendable {
    /// Records the handler could not use, with the reason: they go to the dead-letter topic and
    /// their offsets advance with the rest.
    public var rejected: [(message: KafkaMessage, reason: String)]
    /// Records derived from the batch (reconcile's balances, dq's findings). Published before the
    /// transaction commits, so they are at least once: keep them idempotent (latest value per key).
    public var published: [KafkaRecord]

    public init(rejected: [(message: KafkaMessage, reason: String)] = [], published: [KafkaRecord] = []) {
        self.rejected = rejected
        self.published = published
    }
}

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
        /// Where records the handler rejects go; without one a rejection ends the sink.
        public var deadLetterTopic: String?
        /// How often ``PostgresSink/housekeeping`` runs, with or without input (dq's grace-period
        /// sweep); nil: never.
        public var housekeepingInterval: Duration?

        public init(stage: String, groupID: String, inputTopics: [String]) {
            self.stage = stage
            self.groupID = groupID
            self.inputTopics = inputTopics
        }
    }

    /// Writes one batch inside the open transaction. Must be idempotent: a record read again changes nothing (state per source row by position).
    public typealias Handler = (_ batch: [KafkaMessage], _ db: PostgresConnection) throws -> Void
    /// Like ``Handler``, and says what else the batch produced (``SinkOutcome``).
    public typealias OutcomeHandler = (_ batch: [KafkaMessage], _ db: PostgresConnection) throws -> SinkOutcome
    /// Work that depends on time rather than input, in a transaction of its own; returns records to publish.
    public typealias Housekeeping = (_ db: PostgresConnection) throws -> [KafkaRecord]

    private let kafka: KafkaConfiguration
    private let databaseURL: String
    public let configuration: Configuration
    private let handler: OutcomeHandler
    private let housekeeping: Housekeeping?
    private let logger: Logger
    private var producer: KafkaProducer?
    private var lastHousekeeping = ContinuousClock.now
    private let offsets: StoredOffsets
    public let statistics = StageStatistics()
    /// Told of commits, aborts, polls, assignments and lag (metrics, benchmarks).
    public var observer: StageObserver?

    private var db: PostgresConnection?
    /// What this instance believes is stored for each partition it owns (nil: no row yet).
    private var owned: [TopicPartition: Int64?] = [:]
    private var idlePositions = IdlePositions()

    public convenience init(kafka: KafkaConfiguration, databaseURL: String, configuration: Configuration, logger: Logger, handler: @escaping Handler) {
        self.init(kafka: kafka, databaseURL: databaseURL, configuration: configuration, logger: logger) { batch, db in
            try handler(batch, db)
            return SinkOutcome()
        }
    }

    public init(kafka: KafkaConfiguration, databaseURL: String, configuration: Configuration, logger: Logger,
                housekeeping: Housekeeping? = nil, outcomeHandler handler: @escaping OutcomeHandler) {
        self.kafka = kafka
        self.databaseURL = databaseURL
        self.configuration = configuration
        self.handler = handler
        self.housekeeping = housekeeping
        self.logger = logger
        self.offsets = StoredOffsets(group: configuration.groupID)
    }

    public func run(until stop: StopSignal) throws {
        db = try PostgresConnection(url: databaseURL, timeout: .seconds(120), settings: PostgresConnection.consumerSettings, logger: logger)
        producer = try KafkaProducer(configuration: kafka, logger: logger)
        let consumer = try KafkaConsumer(configuration: kafka,
                                         consumer: KafkaConsumerConfiguration(groupID: configuration.groupID, topics: configuration.inputTopics),
                                         listener: self, logger: logger)
        defer { consumer.close() }
        logger.info("sink started", metadata: ["stage": "\(configuration.stage)", "group": "\(configuration.groupID)"])
        var lagProbe = LagProbe()
        var idleProbe = Cadence(every: .seconds(5))
        while !stop.isStopped {
            let generation = consumer.rebalanceGeneration
            let batch = try consumer.pollBatch(maxRecords: configuration.maxBatchRecords, timeout: configuration.pollTimeout)
            observer?.polled(at: Date())
            lagProbe.measureIfDue(consumer, observer)
            try houseKeepIfDue()
            guard !batch.isEmpty else {
                if idleProbe.isDue() { try storeIdlePositions(consumer) }
                continue
            }
            idlePositions.forget()
            // Partitions moved while the batch was collected: drop it and read every owned partition
            // again from its stored offset (records fetched after the assignment were in the batch).
            guard consumer.rebalanceGeneration == generation else {
                try reseek(consumer)
                continue
            }
            do {
                let (rejected, published) = try commit(batch)
                statistics.committed(records: batch.count, written: published, deadLettered: rejected)
                observer?.committed(batch, deadLettered: rejected, at: Date())
            } catch let error as PostgresError where error.isConnectionFailure {
                statistics.aborted()
                observer?.aborted()
                logger.warning("database connection lost; reconnecting and re-reading from stored offsets", metadata: ["error": "\(error)"])
                try db?.reconnect(timeout: .seconds(300))
                try reseek(consumer)
            } catch let error as PostgresError where error.isRetriableTransactionConflict {
                statistics.aborted()
                observer?.aborted()
                try reseek(consumer)
            } catch let conflict as OffsetConflict {
                // Another instance owns this progress now; a rebalance is on its way.
                statistics.aborted()
                observer?.aborted()
                logger.warning("offset conflict; re-reading stored offsets", metadata: ["conflict": "\(conflict)"])
                try reseek(consumer)
            }
        }
        logger.info("sink stopping", metadata: ["processed": "\(statistics.processed)"])
    }

    /// Writes the records of owned partitions and advances their stored offsets, in one transaction.
    /// Returns how many were dead-lettered and how many derived records were published.
    private func commit(_ batch: [KafkaMessage]) throws -> (rejected: Int, published: Int) {
        guard let db else { return (0, 0) }
        let owned = self.owned
        let batchForOwned = batch.filter { owned[$0.topicPartition] != nil }
        guard !batchForOwned.isEmpty else { return (0, 0) }
        let positions = BatchPositions(batchForOwned)
        let counts = try db.transaction { db in
            let outcome = try handler(batchForOwned, db)
            try publish(deadLetters(outcome.rejected) + outcome.published)
            try offsets.advance(from: owned.filter { positions.partitions.contains($0.key) }, to: positions.next, in: db)
            return (outcome.rejected.count, outcome.published.count)
        }
        for (tp, next) in positions.next { self.owned[tp] = .some(next) }
        return counts
    }

    private func deadLetters(_ rejected: [(message: KafkaMessage, reason: String)]) throws -> [KafkaRecord] {
        guard !rejected.isEmpty else { return [] }
        guard let topic = configuration.deadLetterTopic else { throw RejectedRecord(rejected[0].reason) }
        return rejected.map { DeadLetter.record(for: $0.message, reason: $0.reason, stage: configuration.stage, topic: topic) }
    }

    /// Publishes and waits for the broker's acknowledgement, before the database transaction
    /// commits: after a crash a record may be published again, never lost.
    private func publish(_ records: [KafkaRecord]) throws {
        guard !records.isEmpty, let producer else { return }
        for record in records { try producer.send(record) }
        try producer.flush()
    }

    /// An idle consumer's position can be past the stored offset: it skipped transaction markers
    /// (and records of aborted transactions) that no batch contains. Storing it lets the group's lag
    /// return to zero once it has caught up. Every batch this loop returned was either committed or
    /// followed by a re-seek to the stored offsets; ``IdlePositions`` keeps a position read before
    /// a re-seek took effect from being stored.
    private func storeIdlePositions(_ consumer: KafkaConsumer) throws {
        guard let db else { return }
        let owned = self.owned
        let seen = try consumer.positions().filter { tp, position in owned[tp].map { position > ($0 ?? 0) } ?? false }
        let ahead = idlePositions.settled(seen)
        guard !ahead.isEmpty else { return }
        do {
            try db.transaction { db in try offsets.advance(from: owned.filter { ahead[$0.key] != nil }, to: ahead, in: db) }
            for (tp, next) in ahead { self.owned[tp] = .some(next) }
        } catch is OffsetConflict {
            // Another instance owns it now; the rebalance will tell this one.
        }
    }

    private func houseKeepIfDue() throws {
        guard let housekeeping, let db, let interval = configuration.housekeepingInterval,
              ContinuousClock.now - lastHousekeeping >= interval else { return }
        lastHousekeeping = ContinuousClock.now
        do {
            try db.transaction { db in try publish(try housekeeping(db)) }
        } catch let error as PostgresError where error.isConnectionFailure {
            logger.warning("database connection lost during housekeeping; reconnecting", metadata: ["error": "\(error)"])
            try db.reconnect(timeout: .seconds(300))
        } catch let error as PostgresError where error.isRetriableTransactionConflict {
            logger.info("housekeeping conflicted with another transaction; next round retries", metadata: ["error": "\(error)"])
        }
    }

    /// Re-reads stored offsets for every owned partition and moves the consumer there.
    private func reseek(_ consumer: KafkaConsumer) throws {
        guard let db else { return }
        idlePositions.forget()
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
        idlePositions.forget()
        logger.info("seeking to stored offsets", metadata: ["offsets": "\(starts)"])
        observer?.assigned(Array(owned.keys))
        return starts
    }

    public func partitionsRevoked(_ partitions: [TopicPartition]) {
        for tp in partitions { owned.removeValue(forKey: tp) }
        idlePositions.forget()
        observer?.assigned(Array(owned.keys))
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
