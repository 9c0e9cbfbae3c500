import FoodbankKafka
import Testing

@Suite struct KafkaMessageTests {
    @Test func coordinatesNameTopicPartitionAndOffset() {
        let message = KafkaMessage(topic: "foodbank.files.adjustments", partition: 3, offset: 42, key: nil, value: nil)
        #expect(message.coordinates == "foodbank.files.adjustments[3]@42")
        #expect(message.topicPartition == TopicPartition(topic: "foodbank.files.adjustments", partition: 3))
    }

    @Test func headerLookupFindsTheFirstByName() {
        let message = KafkaMessage(topic: "t", partition: 0, offset: 0, key: nil, value: nil,
                                   headers: [KafkaHeader(name: "a", string: "1"), KafkaHeader(name: "a", string: "2")])
        #expect(message.header("a") == Array("1".utf8))
        #expect(message.header("b") == nil)
    }
}
