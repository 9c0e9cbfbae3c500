import CRdKafka
import Foundation

/// Owns one `rd_kafka_t` handle and is the only place that builds librdkafka configuration.
/// Public types (consumer, producers, admin) hold one of these and never expose C types.
final class RDKafkaClient: @unchecked Sendable {
    enum Role { case producer, consumer }

    /// The handle; valid until `deinit`.
    let handle: OpaquePointer
    let callbacks: ClientCallbacks
    let role: Role

    /// Creates a handle. `properties` are applied in order: the platform defaults, then the
    /// configuration's pass-through properties, then `overrides` (settings a role depends on).
    init(role: Role, configuration: KafkaConfiguration, defaults: [String: String] = [:],
         overrides: [String: String] = [:], callbacks: ClientCallbacks = ClientCallbacks()) throws {
        var merged = defaults
        merged["bootstrap.servers"] = configuration.bootstrapServers
        merged["client.id"] = configuration.clientID
        merged["log.connection.close"] = "false"
        merged.merge(configuration.properties) { _, new in new }
        merged.merge(overrides) { _, new in new }

        guard let conf = rd_kafka_conf_new() else { throw KafkaError.configuration("rd_kafka_conf_new failed") }
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            if rd_kafka_conf_set(conf, key, value, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                // The value is left out on purpose: it may be a secret.
                throw KafkaError.configuration("property \(key): \(String(cString: errstr))")
            }
        }
        self.callbacks = callbacks
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_error_cb(conf) { _, err, reason, opaque in
            ClientCallbacks.from(opaque)?.record(KafkaError(code: rd_kafka_resp_err_t(rawValue: err), context: "background",
                                                            message: reason.map { String(cString: $0) }))
        }
        if callbacks.deliveryHandler != nil {
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message else { return }
                ClientCallbacks.from(opaque)?.deliveryHandler?(message.pointee)
            }
        }
        if callbacks.rebalanceHandler != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
                guard let rk, let partitions else { return }
                ClientCallbacks.from(opaque)?.rebalanceHandler?(rk, err, partitions)
            }
        }

        let type = role == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError.configuration("rd_kafka_new: \(String(cString: errstr))")
        }
        self.handle = rk
        self.role = role
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// librdkafka's fatal error, if the client has raised one (fencing of an idempotent producer,
    /// for example). After it the client can do nothing useful.
    func fatalError(context: String) -> KafkaError? {
        // Asked on every record: the cheap call first, the message only when there is one.
        guard rd_kafka_fatal_error(handle, nil, 0) != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        var errstr = [CChar](repeating: 0, count: 512)
        let err = rd_kafka_fatal_error(handle, &errstr, errstr.count)
        var error = KafkaError(code: err, context: context, message: String(cString: errstr))
        if error.kind != .fenced { error = KafkaError(kind: .fatal, code: error.code, name: error.name, message: error.message, context: context) }
        return error
    }

    /// Serves queued callbacks (delivery reports, errors) without blocking longer than `timeoutMillis`.
    func poll(timeoutMillis: Int32) {
        rd_kafka_poll(handle, timeoutMillis)
    }
}

/// State reached from librdkafka's C callbacks through the configuration's opaque pointer.
final class ClientCallbacks: @unchecked Sendable {
    typealias RebalanceHandler = (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void
    typealias DeliveryHandler = (rd_kafka_message_t) -> Void

    var rebalanceHandler: RebalanceHandler?
    var deliveryHandler: DeliveryHandler?

    private let lock = NSLock()
    private var _lastError: KafkaError?
    private var _errorCount = 0

    init(rebalanceHandler: RebalanceHandler? = nil, deliveryHandler: DeliveryHandler? = nil) {
        self.rebalanceHandler = rebalanceHandler
        self.deliveryHandler = deliveryHandler
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientCallbacks? {
        opaque.map { Unmanaged<ClientCallbacks>.fromOpaque($0).takeUnretainedValue() }
    }

    func record(_ error: KafkaError) {
        lock.lock(); defer { lock.unlock() }
        _lastError = error
        _errorCount += 1
    }

    /// The most recent error librdkafka reported from the background (broker down, transport).
    var lastError: KafkaError? {
        lock.lock(); defer { lock.unlock() }
        return _lastError
    }

    var errorCount: Int {
        lock.lock(); defer { lock.unlock() }
        return _errorCount
    }

}

extension RDKafkaClient {
    /// A partition's low and high watermarks, from its leader.
    func watermarks(_ partition: TopicPartition, timeout: Duration) throws -> Watermarks {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(handle, partition.topic, partition.partition, &low, &high, timeout.milliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: err, context: "reading watermarks of \(partition)") }
        return Watermarks(low: low, high: high)
    }
}
