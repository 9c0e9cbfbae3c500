import CRdKafka

/// librdkafka's in-process mock cluster, for tests of error paths a real broker cannot be made to
/// produce on demand (coordinator loss, fencing, retriable errors on a given request).
///
/// Clients connect to it through ``bootstrapServers`` like to any cluster.
public final class KafkaMockCluster: @unchecked Sendable {
    private let host: RDKafkaClient
    private let cluster: OpaquePointer
    public let bootstrapServers: String

    /// Kafka protocol request types, for ``failNextRequests(_:with:)``.
    public enum Request: Int16, Sendable {
        case produce = 0
        case findCoordinator = 10
        case initProducerID = 22
        case addPartitionsToTxn = 24
        case addOffsetsToTxn = 25
        case endTxn = 26
        case txnOffsetCommit = 28
    }

    public init(brokers: Int = 1) throws {
        host = try RDKafkaClient(role: .producer, configuration: KafkaConfiguration(bootstrapServers: "", clientID: "mock-cluster-host"))
        guard let cluster = rd_kafka_mock_cluster_new(host.handle, Int32(brokers)) else {
            throw KafkaError.configuration("could not create a mock cluster")
        }
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    public func createTopic(_ name: String, partitions: Int) throws {
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), 1)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: err, context: "creating mock topic \(name)") }
    }

    /// The next requests of this type fail with these error codes (librdkafka's
    /// `rd_kafka_resp_err_t` values), one per request, in order.
    public func failNextRequests(_ request: Request, with codes: [Int32]) {
        let errors = codes.map { rd_kafka_resp_err_t(rawValue: $0) }
        errors.withUnsafeBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, request.rawValue, buffer.count, buffer.baseAddress)
        }
    }
}
