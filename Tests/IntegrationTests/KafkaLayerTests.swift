import FoodbankKafka
import Foundation
import Testing

extension Integration {
    /// The Kafka layer against the stack's real broker.
    @Suite struct KafkaLayer {
        func freshTopic(partitions: Int = 3) throws -> (KafkaConfiguration, String) {
            let kafka = try TestStack.kafka
            let topic = TestStack.uniqueName("foodbank.test.kafka")
            let created = try KafkaAdmin(configuration: kafka).createTopics([.init(name: topic, partitions: partitions)])
            #expect(created[topic] == .created)
            return (kafka, topic)
        }

        func readAll(_ kafka: KafkaConfiguration, _ topic: String, expected: Int, group: String = TestStack.uniqueName("g")) throws -> [KafkaMessage] {
            try readTopic(topic, kafka: kafka, group: group, timeout: .seconds(30)) { $0.count >= expected }
        }

        @Test func recordsRoundTripWithKeysHeadersAndTombstones() throws {
            let (kafka, topic) = try freshTopic()
            let producer = try KafkaProducer(configuration: kafka)
            for n in 0..<30 {
                try producer.send(KafkaRecord(topic: topic, key: Array("sku-\(n % 5)".utf8), value: Array("v\(n)".utf8),
                                              headers: [KafkaHeader(name: "n", string: String(n)), KafkaHeader(name: "empty", value: nil)]))
            }
            try producer.send(KafkaRecord(topic: topic, key: Array("sku-0".utf8), value: nil))
            try producer.flush()
            #expect(producer.deliveredCount == 31)

            let messages = try readAll(kafka, topic, expected: 31)
            #expect(messages.count == 31)
            // One key, one partition: per-key order is what the stages rely on.
            let partitionsByKey = Dictionary(grouping: messages, by: { String(decoding: $0.key ?? [], as: UTF8.self) }).mapValues { Set($0.map(\.partition)) }
            #expect(partitionsByKey.values.allSatisfy { $0.count == 1 })
            let tombstones = messages.filter { $0.value == nil }
            #expect(tombstones.count == 1)
            let first = try #require(messages.first { $0.value == Array("v7".utf8) })
            #expect(first.header("n") == Array("7".utf8))
            #expect(first.headers.contains { $0.name == "empty" && $0.value == nil })
            #expect(first.timestampMillis != nil)
        }

        @Test func adminCreatesIdempotentlyAndReadsWatermarksAndTimestamps() throws {
            let (kafka, topic) = try freshTopic(partitions: 2)
            let admin = try KafkaAdmin(configuration: kafka)
            #expect(try admin.createTopics([.init(name: topic, partitions: 2)])[topic] == .alreadyExists)
            #expect(try admin.topicPartitionCounts()[topic] == 2)
            #expect(try admin.partitions(of: [topic]).count == 2)

            let producer = try KafkaProducer(configuration: kafka)
            for n in 0..<10 { try producer.send(KafkaRecord(topic: topic, key: nil, value: Array("a\(n)".utf8), partition: 0)) }
            try producer.flush()
            Thread.sleep(forTimeInterval: 1.1)
            let midpoint = Int64(Date().timeIntervalSince1970 * 1000)
            for n in 0..<5 { try producer.send(KafkaRecord(topic: topic, key: nil, value: Array("b\(n)".utf8), partition: 0)) }
            try producer.flush()

            let p0 = TopicPartition(topic: topic, partition: 0)
            let marks = try admin.watermarks(p0)
            #expect(marks.low == 0)
            #expect(marks.high > 10, "the second batch is not counted at all")
            withKnownIssue("Tansu 0.6.0 reports the last batch's base offset + 1 as the high watermark, not its last offset + 1") {
                #expect(marks.high == 15)
            }
            #expect(try admin.watermarks(TopicPartition(topic: topic, partition: 1)).high == 0)
            let atMidpoint = try admin.offsets(forTimestamp: midpoint, partitions: [p0])
            #expect(atMidpoint[p0] == 10)
        }

        @Test func groupOffsetsCanBeReadAndResetWhileTheGroupIsEmpty() throws {
            let (kafka, topic) = try freshTopic(partitions: 1)
            let producer = try KafkaProducer(configuration: kafka)
            for n in 0..<20 { try producer.send(KafkaRecord(topic: topic, key: nil, value: Array("\(n)".utf8))) }
            try producer.flush()

            let group = TestStack.uniqueName("g")
            var config = KafkaConsumerConfiguration(groupID: group, topics: [topic])
            config.sessionTimeout = .seconds(6)
            let consumer = try KafkaConsumer(configuration: kafka, consumer: config)
            var read = 0
            while read < 20 { read += try consumer.pollBatch(maxRecords: 100, timeout: .seconds(1)).count }
            let p0 = TopicPartition(topic: topic, partition: 0)
            try consumer.commit([p0: 20])
            let admin = try KafkaAdmin(configuration: kafka)
            #expect(try admin.describeGroup(group).memberCount == 1)
            consumer.close()

            #expect(try admin.groupOffsets(group: group, partitions: [p0]) == [p0: 20])
            #expect(try eventually(timeout: .seconds(15)) { try admin.describeGroup(group).memberCount == 0 })
            try admin.alterGroupOffsets(group: group, offsets: [p0: 5])
            #expect(try admin.groupOffsets(group: group, partitions: [p0]) == [p0: 5])
            // A new member of the group starts where the reset put it.
            let again = try readAll(kafka, topic, expected: 15, group: group)
            #expect(again.count == 15)
            #expect(again.map(\.offset).min() == 5)
        }

        /// Offsets sent to a transaction are committed with it. Tansu 0.6.0 drops them when the
        /// transaction wrote no records (Apache Kafka does not): so ``TransactionalRelay`` commits the
        /// offsets of a batch without output with a plain group commit, which this test would tell us
        /// is no longer needed.
        @Test func offsetsSentToATransactionAreCommittedWithIt() throws {
            let (kafka, topic) = try freshTopic(partitions: 1)
            let producer = try KafkaProducer(configuration: kafka)
            for n in 0..<10 { try producer.send(KafkaRecord(topic: topic, key: nil, value: Array("\(n)".utf8))) }
            try producer.flush()
            let group = TestStack.uniqueName("g")
            var config = KafkaConsumerConfiguration(groupID: group, topics: [topic])
            config.sessionTimeout = .seconds(6)
            let consumer = try KafkaConsumer(configuration: kafka, consumer: config)
            defer { consumer.close() }
            var read = 0
            while read < 10 { read += try consumer.pollBatch(maxRecords: 100, timeout: .seconds(1)).count }
            let txn = try KafkaTransactionalProducer(configuration: kafka, transactionalID: TestStack.uniqueName("t"))
            try txn.initTransactions()
            let p0 = TopicPartition(topic: topic, partition: 0)
            var outcomes: [String] = []
            for (next, withRecord) in [(Int64(2), true), (4, false), (6, false), (8, true), (10, false)] {
                try txn.withTransaction(commitTimeout: .seconds(30)) {
                    if withRecord { try $0.send(KafkaRecord(topic: topic, key: nil, value: [1])) }
                    try $0.sendOffsets([p0: next], groupMetadata: try consumer.groupMetadata())
                }
                let applied = try eventually(timeout: .seconds(5)) { try consumer.committed([p0]) == [p0: next] }
                outcomes.append("\(next)\(withRecord ? "+record" : ""):\(applied ? "applied" : "lost")")
            }
            #expect(outcomes.filter { $0.contains("+record") }.allSatisfy { $0.hasSuffix("applied") }, "\(outcomes)")
            withKnownIssue("Tansu 0.6.0 drops the offsets of a transaction that wrote no records") {
                #expect(!outcomes.contains { $0.hasSuffix("lost") }, "\(outcomes)")
            }
        }

        @Test func twoMembersOfAGroupSplitThePartitions() throws {
            let (kafka, topic) = try freshTopic(partitions: 4)
            let group = TestStack.uniqueName("g")
            var config = KafkaConsumerConfiguration(groupID: group, topics: [topic])
            config.sessionTimeout = .seconds(6)
            let a = try KafkaConsumer(configuration: kafka, consumer: config)
            let b = try KafkaConsumer(configuration: kafka, consumer: config)
            defer { a.close(); b.close() }
            let split = try eventually(timeout: .seconds(40)) {
                _ = try a.poll(timeout: .milliseconds(100))
                _ = try b.poll(timeout: .milliseconds(100))
                let (x, y) = (try a.assignment(), try b.assignment())
                return x.count + y.count == 4 && !x.isEmpty && !y.isEmpty && Set(x).isDisjoint(with: y)
            }
            #expect(split)
            #expect(a.rebalanceGeneration > 0)
        }
    }
}
