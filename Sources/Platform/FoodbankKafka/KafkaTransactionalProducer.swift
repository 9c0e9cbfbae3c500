import CRdKafka
import Logging

/// A transactional producer: records and consumed offsets become visible together or not at all
/// (KIP-98), and offsets carry the consumer's group metadata so a zombie member is fenced (KIP-447).
///
/// One `transactionalID` belongs to one live process: starting a second instance with the same id
/// fences the first, whose next call throws a ``KafkaError`` with kind `.fenced`.
public final class KafkaTransactionalProducer: @unchecked Sendable {
    private let client: RDKafkaClient
    public let transactionalID: String
    private let logger: Logger
    private var inTransaction = false

    public init(configuration: KafkaConfiguration, transactionalID: String, transactionTimeout: Duration = .seconds(60),
                logger: Logger = Logger(label: "foodbank.kafka.txn")) throws {
        self.client = try RDKafkaClient(role: .producer, configuration: configuration,
                                        defaults: ["linger.ms": "5", "compression.type": "lz4"],
                                        overrides: ["transactional.id": transactionalID, "enable.idempotence": "true",
                                                    "acks": "all",
                                                    "transaction.timeout.ms": String(transactionTimeout.milliseconds)])
        self.transactionalID = transactionalID
        self.logger = logger
    }

    /// Registers the transactional id with the coordinator, fencing older producers that used it
    /// and aborting what they left open. Retries retriable errors until `timeout`.
    public func initTransactions(timeout: Duration = .seconds(60)) throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let error = rd_kafka_init_transactions(client.handle, Duration.seconds(10).milliseconds) else { return }
            let failure = KafkaError(consuming: error, context: "initializing transactions for \(transactionalID)")
            guard failure.isRetriable, ContinuousClock.now < deadline else { throw failure }
            logger.warning("init transactions: retrying", metadata: ["error": "\(failure)"])
        }
    }

    public func beginTransaction() throws {
        if let error = rd_kafka_begin_transaction(client.handle) {
            throw KafkaError(consuming: error, context: "beginning a transaction")
        }
        inTransaction = true
    }

    public func send(_ record: KafkaRecord) throws {
        precondition(inTransaction, "send outside a transaction")
        try client.produce(record)
        client.poll(timeoutMillis: 0)
    }

    /// Adds consumed offsets (the next offset to read per partition) to the open transaction.
    public func sendOffsets(_ offsets: [TopicPartition: Int64], groupMetadata: KafkaConsumerGroupMetadata,
                            timeout: Duration = .seconds(30)) throws {
        guard !offsets.isEmpty else { return }
        try TopicPartitionList.withList(offsets) { list in
            try retrying("sending offsets to the transaction", until: timeout) {
                rd_kafka_send_offsets_to_transaction(client.handle, list, groupMetadata.pointer, Duration.seconds(10).milliseconds)
            }
        }
    }

    /// Commits the open transaction; retriable errors are retried, anything else is thrown with
    /// its kind (`requiresAbort`: call ``abortTransaction(timeout:)``; fatal or fenced: stop).
    public func commitTransaction(timeout: Duration = .seconds(60)) throws {
        try retrying("committing the transaction", until: timeout) {
            rd_kafka_commit_transaction(client.handle, Duration.seconds(10).milliseconds)
        }
        inTransaction = false
    }

    public func abortTransaction(timeout: Duration = .seconds(60)) throws {
        try retrying("aborting the transaction", until: timeout) {
            rd_kafka_abort_transaction(client.handle, Duration.seconds(10).milliseconds)
        }
        inTransaction = false
    }

    /// Runs `body` in a transaction: commits when it returns, aborts when it (or the commit)
    /// throws an abortable error, and rethrows. After a fatal or fenced error the producer is
    /// unusable and nothing is attempted.
    ///
    /// A commit that keeps failing with retriable errors (broker unreachable) is retried for
    /// `commitTimeout`, then aborted; the abort is retried until it succeeds, because until then
    /// the producer can start no new transaction.
    public func withTransaction<T>(commitTimeout: Duration = .seconds(300), _ body: (KafkaTransactionalProducer) throws -> T) throws -> T {
        try beginTransaction()
        do {
            let result = try body(self)
            try commitTransaction(timeout: commitTimeout)
            return result
        } catch let error as KafkaError where error.isFatal {
            throw error
        } catch {
            try abortUntilDone(cause: error)
            throw error
        }
    }

    private func abortUntilDone(cause: Error) throws {
        while true {
            do {
                return try abortTransaction(timeout: .seconds(60))
            } catch let abortError as KafkaError where abortError.isRetriable {
                logger.warning("abort not acknowledged yet, retrying", metadata: ["error": "\(abortError)", "cause": "\(cause)"])
            }
        }
    }

    private func retrying(_ what: String, until timeout: Duration, _ call: () -> OpaquePointer?) throws {
        let deadline = ContinuousClock.now + timeout
        while let error = call() {
            let failure = KafkaError(consuming: error, context: what)
            guard failure.isRetriable, ContinuousClock.now < deadline else { throw failure }
            logger.warning("\(what): retrying", metadata: ["error": "\(failure)"])
        }
    }
}
