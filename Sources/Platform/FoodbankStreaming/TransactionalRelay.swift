import FoodbankKafka
import Foundation
import Logging

/// The Kafka-to-Kafka exactly-once loop every Kafka-writing stage runs (normalize, dedupe, the
/// self-check): read a batch, transform it, write the results and the batch's offsets in one
/// transaction (KIP-98), with the consumer's group metadata so a fenced member cannot commit (KIP-447).
///
/// A batch is all or nothing: on any abortable failure the transaction is aborted and the consumer
/// rewinds to the batch's first offsets, so the batch is read again. A crash at any instruction
/// leaves either the committed transaction (output and offsets) or neither.
public final class TransactionalRelay: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var stage: String
        public var groupID: String
        public var inputTopics: [String]
        /// Unique per live instance (`<group>-<instance>`); a restarted instance reuses its id and so
        /// fences its own previous incarnation.
        public var transactionalID: String
        public var deadLetterTopic: String?
        public var maxBatchRecords = 2000
        public var pollTimeout: Duration = .milliseconds(500)
        public var assignmentStrategy: KafkaConsumerConfiguration.AssignmentStrategy = .range
        /// Longer than any broker outage the stage should ride out without losing its open transaction.
        public var transactionTimeout: Duration = .seconds(180)

        public init(stage: String, groupID: String, inputTopics: [String], transactionalID: String, deadLetterTopic: String?) {
            self.stage = stage
            self.groupID = groupID
            self.inputTopics = inputTopics
            self.transactionalID = transactionalID
            self.deadLetterTopic = deadLetterTopic
        }
    }

    private let kafka: KafkaConfiguration
    public let configuration: Configuration
    private let stage: RelayStage
    private let logger: Logger
    public let statistics = StageStatistics()
    /// Told of commits, aborts, polls, assignments and lag (metrics, benchmarks).
    public var observer: StageObserver?

    public init(kafka: KafkaConfiguration, configuration: Configuration, logger: Logger, stage: RelayStage) {
        self.kafka = kafka
        self.configuration = configuration
        self.stage = stage
        self.logger = logger
    }

    /// A relay of a stateless stage: each input record to output records, or a ``RejectedRecord``.
    public convenience init(kafka: KafkaConfiguration, configuration: Configuration, logger: Logger,
                            transform: @escaping PerRecordStage.Transform) {
        self.init(kafka: kafka, configuration: configuration, logger: logger, stage: PerRecordStage(transform))
    }

    /// Runs until `stop` is set. Throws only what a restart must handle: fatal and fencing errors.
    public func run(until stop: StopSignal) throws {
        let producer = try KafkaTransactionalProducer(configuration: kafka, transactionalID: configuration.transactionalID,
                                                      transactionTimeout: configuration.transactionTimeout, logger: logger)
        try waitForBroker(stop: stop) { try producer.initTransactions(timeout: .seconds(30)) }
        var consumerConfig = KafkaConsumerConfiguration(groupID: configuration.groupID, topics: configuration.inputTopics)
        consumerConfig.assignmentStrategy = configuration.assignmentStrategy
        let consumer = try KafkaConsumer(configuration: kafka, consumer: consumerConfig, logger: logger)
        defer { consumer.close() }
        logger.info("relay started", metadata: ["stage": "\(configuration.stage)", "group": "\(configuration.groupID)",
                                                "transactional.id": "\(configuration.transactionalID)"])
        var knownGeneration: Int?
        var lagProbe = LagProbe()
        var idleProbe = Cadence(every: .seconds(5))
        var idlePositions = IdlePositions()
        // The group's committed offsets as this member last knew or wrote them.
        var progress: [TopicPartition: Int64] = [:]
        while !stop.isStopped {
            let generation = consumer.rebalanceGeneration
            if knownGeneration != generation {
                idlePositions.forget()
                // Stateful stages rebuild what they hold for partitions that moved before reading on.
                let assigned = try consumer.assignment()
                progress = assigned.isEmpty ? [:] : try consumer.committed(assigned)
                try stage.assignmentChanged(to: progress, assigned: assigned)
                knownGeneration = generation
                observer?.assigned(assigned)
            }
            let batch = try consumer.pollBatch(maxRecords: configuration.maxBatchRecords, timeout: configuration.pollTimeout)
            observer?.polled(at: Date())
            lagProbe.measureIfDue(consumer, observer)
            guard !batch.isEmpty else {
                // Idle: the position may be past the committed offset by transaction markers no batch
                // contains; committing it lets the group's lag return to zero (see IdlePositions).
                if idleProbe.isDue(), consumer.rebalanceGeneration == generation {
                    let ahead = idlePositions.settled(try consumer.positions().filter { tp, position in position > (progress[tp] ?? 0) })
                    if !ahead.isEmpty, (try? consumer.commit(ahead)) != nil { progress.merge(ahead) { _, new in new } }
                }
                continue
            }
            idlePositions.forget()
            let positions = BatchPositions(batch)
            if consumer.rebalanceGeneration != generation {
                // Partitions moved while the batch was collected: some of it may no longer be ours.
                try rewind(consumer, to: positions.first, rebalanced: true)
                continue
            }
            let output = try stage.process(batch)
            let next = positions.next.merging(output.heldFrom) { _, held in held }
            do {
                if output.records.isEmpty && output.rejected.isEmpty {
                    // Nothing to write (all duplicates, or all held): the offsets alone. A plain group
                    // commit is equivalent here, and the local broker (Tansu 0.6.0) drops the offsets of
                    // a transaction that wrote no records. It is fenced by the group generation just the same.
                    try consumer.commit(next)
                } else {
                    try producer.withTransaction { txn in
                        for record in output.records { try txn.send(record) }
                        try deadLetter(output.rejected, to: txn)
                        try txn.sendOffsets(next, groupMetadata: try consumer.groupMetadata())
                    }
                }
                stage.committed()
                progress.merge(next) { _, new in new }
                // Records of a held partition from the hold on are read again later: not consumed yet.
                let consumed = batch.filter { message in output.heldFrom[message.topicPartition].map { message.offset < $0 } ?? true }
                statistics.committed(records: consumed.count, written: output.records.count, deadLettered: output.rejected.count)
                observer?.committed(consumed, deadLettered: output.rejected.count, at: Date())
                if !output.heldFrom.isEmpty {
                    try consumer.seek(output.heldFrom)
                    // Everything read was held back: give the records it waits for time to arrive.
                    if output.records.isEmpty && output.rejected.isEmpty { Thread.sleep(forTimeInterval: 0.2) }
                }
            } catch let error as KafkaError where !error.isFatal {
                stage.aborted()
                statistics.aborted()
                observer?.aborted()
                logger.warning("transaction abandoned; rewinding the batch", metadata: ["error": "\(error)", "records": "\(batch.count)"])
                try rewind(consumer, to: positions.first, rebalanced: consumer.rebalanceGeneration != generation)
            }
        }
        logger.info("relay stopping", metadata: ["processed": "\(statistics.processed)"])
    }

    /// Sends rejected records to the dead-letter topic with their reason; without one, a rejection ends the relay.
    private func deadLetter(_ rejected: [(message: KafkaMessage, reason: String)], to txn: KafkaTransactionalProducer) throws {
        for (message, reason) in rejected {
            guard let topic = configuration.deadLetterTopic else { throw RejectedRecord(reason) }
            try txn.send(DeadLetter.record(for: message, reason: reason, stage: configuration.stage, topic: topic))
        }
    }

    /// Puts the read position of the batch's partitions that are still assigned back to where the
    /// group's committed progress is. Without a rebalance that is the batch's first offset (this
    /// member committed everything before it); after one, another member may have committed
    /// further, so the committed offsets are read from the coordinator.
    private func rewind(_ consumer: KafkaConsumer, to first: [TopicPartition: Int64], rebalanced: Bool) throws {
        let assigned = Set(try consumer.assignment())
        let kept = first.filter { assigned.contains($0.key) }
        guard !kept.isEmpty else { return }
        if rebalanced {
            let committed = try consumer.committed(Array(kept.keys))
            try consumer.seek(kept.mapValues { _ in KafkaOffset.beginning }.merging(committed) { _, c in c })
        } else {
            try consumer.seek(kept)
        }
    }

    /// Retries `body` while the broker is unreachable, logging each attempt, until it succeeds or
    /// the stage is stopped: a stage started before its broker waits for it.
    private func waitForBroker(stop: StopSignal, _ body: () throws -> Void) throws {
        while true {
            do { return try body() } catch let error as KafkaError where error.isRetriable && !stop.isStopped {
                logger.warning("broker not reachable yet, retrying", metadata: ["error": "\(error)"])
            }
        }
    }
}
