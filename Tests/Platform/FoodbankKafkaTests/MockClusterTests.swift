import CRdKafka
import FoodbankKafka
import Testing

/// Error paths driven through librdkafka's in-process mock cluster: the one place a test can make a
/// coordinator fail or fence a producer exactly when it wants.
@Suite struct MockClusterTests {
    func setUp() throws -> (KafkaMockCluster, KafkaConfiguration) {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("out", partitions: 2)
        return (cluster, KafkaConfiguration(bootstrapServers: cluster.bootstrapServers, clientID: "mock-test"))
    }

    @Test func retriableCoordinatorErrorsOnCommitAreRiddenOut() throws {
        let (cluster, kafka) = try setUp()
        let producer = try KafkaTransactionalProducer(configuration: kafka, transactionalID: "retry")
        try producer.initTransactions()
        cluster.failNextRequests(.endTxn, with: [RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE.rawValue,
                                                 RD_KAFKA_RESP_ERR_NOT_COORDINATOR.rawValue,
                                                 RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS.rawValue])
        try producer.withTransaction(commitTimeout: .seconds(30)) { txn in
            try txn.send(KafkaRecord(topic: "out", key: Array("k".utf8), value: Array("v".utf8)))
        }
        // The producer is still usable.
        try producer.withTransaction { txn in try txn.send(KafkaRecord(topic: "out", key: nil, value: Array("w".utf8))) }
    }

    @Test func fencingOnCommitIsReportedAsFencedAndNothingMoreIsTried() throws {
        let (cluster, kafka) = try setUp()
        let producer = try KafkaTransactionalProducer(configuration: kafka, transactionalID: "fenced")
        try producer.initTransactions()
        cluster.failNextRequests(.endTxn, with: [RD_KAFKA_RESP_ERR_PRODUCER_FENCED.rawValue])
        let error = #expect(throws: KafkaError.self) {
            try producer.withTransaction(commitTimeout: .seconds(20)) { txn in
                try txn.send(KafkaRecord(topic: "out", key: nil, value: Array("v".utf8)))
            }
        }
        #expect(error?.isFatal == true, "got \(String(describing: error))")
    }

    @Test func anAbortableErrorAbortsAndTheNextTransactionWorks() throws {
        let (cluster, kafka) = try setUp()
        let producer = try KafkaTransactionalProducer(configuration: kafka, transactionalID: "abortable")
        try producer.initTransactions()
        cluster.failNextRequests(.addPartitionsToTxn, with: [RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED.rawValue])
        let error = #expect(throws: KafkaError.self) {
            try producer.withTransaction(commitTimeout: .seconds(20)) { txn in
                try txn.send(KafkaRecord(topic: "out", key: nil, value: Array("v".utf8)))
            }
        }
        #expect(error?.isFatal == false, "an authorization failure on one partition should abort, not kill: \(String(describing: error))")
        try producer.withTransaction { txn in try txn.send(KafkaRecord(topic: "out", key: nil, value: Array("w".utf8))) }
    }
}
