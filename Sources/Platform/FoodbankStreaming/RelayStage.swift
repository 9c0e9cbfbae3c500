import FoodbankKafka

/// The work of a Kafka-to-Kafka stage, run by ``TransactionalRelay`` inside its transactions.
///
/// A stage may keep state (dedupe's seen ids) and may hold a partition back (normalize waiting for
/// a line's header). Nothing it returns is visible until the relay commits; it learns the outcome
/// through ``committed()`` and ``aborted()`` so in-memory state only ever reflects committed work.
public protocol RelayStage: AnyObject {
    /// Called before the first batch after every change of assignment (and at start), with each
    /// assigned partition's committed offset (absent: nothing committed yet).
    func assignmentChanged(to committed: [TopicPartition: Int64], assigned: [TopicPartition]) throws
    /// Processes one batch. Throwing a non-Kafka error ends the relay (the process restarts).
    func process(_ batch: [KafkaMessage]) throws -> RelayOutput
    /// The transaction carrying the last ``process(_:)`` output committed.
    func committed()
    /// The transaction carrying the last ``process(_:)`` output was abandoned; it will be read again.
    func aborted()
}

extension RelayStage {
    public func assignmentChanged(to committed: [TopicPartition: Int64], assigned: [TopicPartition]) throws {}
    public func committed() {}
    public func aborted() {}
}

/// What a stage makes of a batch.
public struct RelayOutput {
    public var records: [KafkaRecord] = []
    /// Records that cannot be processed, with the reason: they go to the dead-letter topic.
    public var rejected: [(message: KafkaMessage, reason: String)] = []
    /// Partitions the stage stopped early in: the record at this offset and those after it are not
    /// consumed by this batch and are read again later.
    public var heldFrom: [TopicPartition: Int64] = [:]

    public init(records: [KafkaRecord] = [], rejected: [(message: KafkaMessage, reason: String)] = [], heldFrom: [TopicPartition: Int64] = [:]) {
        self.records = records
        self.rejected = rejected
        self.heldFrom = heldFrom
    }
}

/// A stateless stage: each record on its own, to output records or a ``RejectedRecord``.
public final class PerRecordStage: RelayStage {
    public typealias Transform = (KafkaMessage) throws -> [KafkaRecord]
    private let transform: Transform

    public init(_ transform: @escaping Transform) { self.transform = transform }

    public func process(_ batch: [KafkaMessage]) throws -> RelayOutput {
        var output = RelayOutput()
        for message in batch {
            do {
                output.records += try transform(message)
            } catch let rejection as RejectedRecord {
                output.rejected.append((message, rejection.reason))
            }
        }
        return output
    }
}
