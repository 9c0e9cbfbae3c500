import CRdKafka
import Foundation
import Logging

/// An idempotent producer: retries never duplicate or reorder records within a partition.
///
/// ``send(_:)`` enqueues; ``flush(timeout:)`` waits until every enqueued record is acknowledged
/// by the broker and throws if any was not, so a caller can acknowledge its own source (an LSN,
/// a file) only after Kafka has what it sent.
public final class KafkaProducer: @unchecked Sendable {
    private let client: RDKafkaClient
    private let deliveries: DeliveryTracker
    private let logger: Logger

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "foodbank.kafka.producer")) throws {
        let deliveries = DeliveryTracker()
        let callbacks = ClientCallbacks(deliveryHandler: { deliveries.record($0) })
        self.client = try RDKafkaClient(role: .producer, configuration: configuration,
                                        defaults: ["linger.ms": "5", "compression.type": "lz4"],
                                        overrides: ["enable.idempotence": "true", "acks": "all"],
                                        callbacks: callbacks)
        self.deliveries = deliveries
        self.logger = logger
    }

    public func send(_ record: KafkaRecord) throws {
        if let fatal = client.fatalError(context: "producing to \(record.topic)") { throw fatal }
        try client.produce(record)
        client.poll(timeoutMillis: 0)
    }

    /// Waits for every record sent so far; throws the first delivery failure since the last flush.
    public func flush(timeout: Duration = .seconds(60)) throws {
        let err = rd_kafka_flush(client.handle, timeout.milliseconds)
        if let fatal = client.fatalError(context: "flushing") { throw fatal }
        if let failure = deliveries.takeFirstFailure() { throw failure }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: err, context: "flushing the producer") }
    }

    /// Records acknowledged by the broker since start.
    public var deliveredCount: Int { deliveries.delivered }
}

/// Counts delivery reports from librdkafka's callback.
final class DeliveryTracker: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var delivered = 0
    private var firstFailure: KafkaError?

    func record(_ message: rd_kafka_message_t) {
        lock.lock(); defer { lock.unlock() }
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            delivered += 1
        } else if firstFailure == nil {
            let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
            firstFailure = KafkaError(code: message.err, context: "delivering to \(topic)[\(message.partition)]")
        }
    }

    func takeFirstFailure() -> KafkaError? {
        lock.lock(); defer { lock.unlock() }
        defer { firstFailure = nil }
        return firstFailure
    }
}
