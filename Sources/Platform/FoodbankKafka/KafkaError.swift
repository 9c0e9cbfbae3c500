import CRdKafka

/// An error from librdkafka, classified so a caller knows what to do next.
///
/// The classification follows librdkafka's transactional-API contract: a retriable error may be
/// retried as is; one that requires abort means "abort the open transaction, rewind, carry on";
/// a fatal error (fencing among them) means this producer instance is finished and the process
/// must stop or build a new one.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        case retriable
        case transactionRequiresAbort = "requires-abort"
        case fenced
        case fatal
        case other
    }

    public let kind: Kind
    /// librdkafka's error code (`rd_kafka_resp_err_t`), e.g. -185 for `_TIMED_OUT`.
    public let code: Int32
    public let name: String
    public let message: String
    /// What the platform was doing when the error happened (topic, partition, operation).
    public let context: String

    public var isRetriable: Bool { kind == .retriable }
    public var requiresAbort: Bool { kind == .transactionRequiresAbort }
    public var isFatal: Bool { kind == .fatal || kind == .fenced }
    public var isFencing: Bool { kind == .fenced }

    public var description: String {
        "Kafka error \(name) (\(code), \(kind.rawValue)) while \(context): \(message)"
    }

    public init(kind: Kind, code: Int32, name: String, message: String, context: String) {
        self.kind = kind
        self.code = code
        self.name = name
        self.message = message
        self.context = context
    }

    /// From a plain response code (consumer, admin and produce calls).
    init(code err: rd_kafka_resp_err_t, context: String, message: String? = nil) {
        self.init(kind: Self.classify(err), code: err.rawValue, name: String(cString: rd_kafka_err2name(err)),
                  message: message ?? String(cString: rd_kafka_err2str(err)), context: context)
    }

    /// From an `rd_kafka_error_t` (transactional API), which carries its own classification.
    /// Takes ownership of `error` and destroys it.
    init(consuming error: OpaquePointer, context: String) {
        defer { rd_kafka_error_destroy(error) }
        let err = rd_kafka_error_code(error)
        let kind: Kind
        if Self.isFencingCode(err) {
            kind = .fenced
        } else if rd_kafka_error_is_fatal(error) != 0 {
            kind = .fatal
        } else if rd_kafka_error_txn_requires_abort(error) != 0 {
            kind = .transactionRequiresAbort
        } else if rd_kafka_error_is_retriable(error) != 0 {
            kind = .retriable
        } else {
            kind = Self.classify(err)
        }
        self.init(kind: kind, code: err.rawValue, name: String(cString: rd_kafka_error_name(error)),
                  message: String(cString: rd_kafka_error_string(error)), context: context)
    }

    static func isFencingCode(_ err: rd_kafka_resp_err_t) -> Bool {
        err == RD_KAFKA_RESP_ERR__FENCED || err == RD_KAFKA_RESP_ERR_PRODUCER_FENCED
            || err == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH
            || err == RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    }

    static func classify(_ err: rd_kafka_resp_err_t) -> Kind {
        if isFencingCode(err) { return .fenced }
        let retriable: [rd_kafka_resp_err_t] = [
            RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
            RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__WAIT_COORD,
            RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
            RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
            RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        ]
        if retriable.contains(err) { return .retriable }
        let fatal: [rd_kafka_resp_err_t] = [
            RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR__SSL,
            RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
            RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
            RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION,
        ]
        if fatal.contains(err) { return .fatal }
        return .other
    }

    /// A configuration problem found before any broker was contacted.
    static func configuration(_ message: String) -> KafkaError {
        KafkaError(kind: .fatal, code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, name: "_INVALID_ARG",
                   message: message, context: "configuring the client")
    }
}
