import FoodbankKafka
@testable import FoodbankStreaming
import Testing

@Suite struct BatchPositionsTests {
    func message(_ partition: Int32, _ offset: Int64) -> KafkaMessage {
        KafkaMessage(topic: "t", partition: partition, offset: offset, key: nil, value: nil)
    }

    @Test func firstAndNextOffsetsPerPartition() {
        // Offsets have gaps where transaction markers sit.
        let positions = BatchPositions([message(0, 10), message(1, 5), message(0, 11), message(0, 14), message(1, 6)])
        #expect(positions.first == [TopicPartition(topic: "t", partition: 0): 10, TopicPartition(topic: "t", partition: 1): 5])
        #expect(positions.next == [TopicPartition(topic: "t", partition: 0): 15, TopicPartition(topic: "t", partition: 1): 7])
        #expect(positions.partitions.count == 2)
    }

    @Test func emptyBatchHasNoPositions() {
        #expect(BatchPositions([]).next.isEmpty)
    }

    @Test func deadLetterKeepsTheRecordAndSaysWhyAndWhere() {
        var original = message(4, 99)
        original.key = Array("k".utf8)
        original.value = Array("{not json".utf8)
        let record = DeadLetter.record(for: original, reason: "invalid JSON at line 1", stage: "normalize", topic: "foodbank.dlq.normalize")
        #expect(record.topic == "foodbank.dlq.normalize")
        #expect(record.key == original.key)
        #expect(record.value == original.value)
        let headers = Dictionary(uniqueKeysWithValues: record.headers.map { ($0.name, String(decoding: $0.value ?? [], as: UTF8.self)) })
        #expect(headers[DeadLetter.reasonHeader] == "invalid JSON at line 1")
        #expect(headers[DeadLetter.stageHeader] == "normalize")
        #expect(headers[DeadLetter.sourceTopicHeader] == "t")
        #expect(headers[DeadLetter.sourcePartitionHeader] == "4")
        #expect(headers[DeadLetter.sourceOffsetHeader] == "99")
    }

    @Test func textArrayLiteralQuotesEveryElement() {
        #expect(StoredOffsets.textArray(["a", "b\"c", "d\\e"]) == #"{"a","b\"c","d\\e"}"#)
    }
}
