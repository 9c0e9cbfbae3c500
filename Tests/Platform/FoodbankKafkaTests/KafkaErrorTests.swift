import CRdKafka
@testable import FoodbankKafka
import Testing

@Suite struct KafkaErrorTests {
    @Test(arguments: [RD_KAFKA_RESP_ERR__FENCED, RD_KAFKA_RESP_ERR_PRODUCER_FENCED, RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH])
    func fencingCodesAreFencing(code: rd_kafka_resp_err_t) {
        let error = KafkaError(code: code, context: "test")
        #expect(error.kind == .fenced)
        #expect(error.isFatal)
        #expect(!error.isRetriable)
    }

    @Test(arguments: [RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                      RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN])
    func transientCodesAreRetriable(code: rd_kafka_resp_err_t) {
        #expect(KafkaError(code: code, context: "test").isRetriable)
    }

    @Test(arguments: [RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, RD_KAFKA_RESP_ERR__FATAL])
    func authorizationAndFatalCodesAreFatal(code: rd_kafka_resp_err_t) {
        let error = KafkaError(code: code, context: "test")
        #expect(error.kind == .fatal)
        #expect(!error.isFencing)
    }

    @Test func descriptionSaysWhatAndWhere() {
        let error = KafkaError(code: RD_KAFKA_RESP_ERR__TRANSPORT, context: "producing to foodbank.unique.donations")
        #expect(error.description.contains("_TRANSPORT"))
        #expect(error.description.contains("foodbank.unique.donations"))
        #expect(error.description.contains("retriable"))
    }
}
