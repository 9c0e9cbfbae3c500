// relay-check: the platform's exactly-once self-check, and the harness of its crash tests.
//
//   relay-check produce --count N     idempotently writes N keyed records (plus poison ones) to the input topic
//   relay-check relay                 input -> output through the transactional relay (Kafka to Kafka)
//   relay-check sink                  output -> PostgreSQL through the offset-storing sink
//   relay-check bench --count N       prints produce, consume and transactional relay throughput
//
// Configuration comes from the environment: KAFKA_BOOTSTRAP_SERVERS, FOODBANK_DATABASE_URL,
// FOODBANK_INSTANCE_ID, KAFKA_PROPERTY_*.
import ArgumentParser
import FoodbankKafka
import FoodbankPostgres
import FoodbankStreaming
import Foundation
import Logging

@main
struct RelayCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exactly-once self-check: produce, relay (Kafka to Kafka) and sink (Kafka to PostgreSQL).",
        subcommands: [Produce.self, Relay.self, Sink.self, Bench.self, StageBench.self, SinkBench.self])
}

struct Common: ParsableArguments {
    @Option(help: "Distinguishes one check run from another (group ids, table rows).")
    var runID = "default"
    @Option(help: "Input topic.") var inputTopic = "foodbank.selfcheck.input"
    @Option(help: "Output topic.") var outputTopic = "foodbank.selfcheck.output"
    @Option(help: "Dead-letter topic.") var deadLetterTopic = "foodbank.dlq.selfcheck"
    @Option(help: "Records per transaction.") var batch = 2000

    func kafka(_ clientID: String) throws -> KafkaConfiguration {
        try KafkaConfiguration.fromEnvironment(clientID: clientID)
    }

    var instanceID: String { StageIdentity.instanceID() }

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .info
        return logger
    }
}

/// The poison value: the relay must dead-letter it, never stall on it.
let poisonValue = "POISON"

struct Produce: ParsableCommand {
    @OptionGroup var common: Common
    @Option(help: "Records to write.") var count = 100_000
    @Option(help: "Write a poison record every N records (0: none).") var poisonEvery = 0

    func run() throws {
        let kafka = try common.kafka("relay-check-produce")
        // Run-specific topics are not in topics/topics.json: create them like their declared namesakes.
        _ = try KafkaAdmin(configuration: kafka).createTopics([common.inputTopic, common.outputTopic].map { .init(name: $0, partitions: 6) }
                                                               + [.init(name: common.deadLetterTopic, partitions: 3)])
        let producer = try KafkaProducer(configuration: kafka)
        for n in 0..<count {
            let key = "rec-\(n)"
            try producer.send(KafkaRecord(topic: common.inputTopic, key: Array(key.utf8), value: Array("\(key)|payload-\(n)".utf8)))
            if poisonEvery > 0, n % poisonEvery == 0 {
                try producer.send(KafkaRecord(topic: common.inputTopic, key: Array("poison-\(n)".utf8), value: Array(poisonValue.utf8)))
            }
        }
        try producer.flush()
        print("produced \(count) records")
    }
}

struct Relay: ParsableCommand {
    @OptionGroup var common: Common

    func run() throws {
        let stop = StopSignal()
        stop.installSignalHandlers()
        let group = "selfcheck-relay-\(common.runID)"
        var config = TransactionalRelay.Configuration(stage: "selfcheck", groupID: group, inputTopics: [common.inputTopic],
                                                      transactionalID: "\(group)-\(common.instanceID)",
                                                      deadLetterTopic: common.deadLetterTopic)
        config.maxBatchRecords = common.batch
        let output = common.outputTopic
        let relay = TransactionalRelay(kafka: try common.kafka("relay-check-relay"), configuration: config,
                                       logger: common.logger("relay-check.relay")) { message in
            guard let value = message.value, value != Array(poisonValue.utf8) else {
                throw RejectedRecord("poison record (value \(message.value == nil ? "null" : poisonValue))")
            }
            return [KafkaRecord(topic: output, key: message.key, value: Array("relayed|".utf8) + value,
                                headers: [KafkaHeader(name: "foodbank.source", string: message.coordinates)])]
        }
        try relay.run(until: stop)
    }
}

struct Sink: ParsableCommand {
    @OptionGroup var common: Common

    func run() throws {
        let stop = StopSignal()
        stop.installSignalHandlers()
        let url = try PostgresConfiguration.url()
        let runID = common.runID
        var configuration = PostgresSink.Configuration(stage: "selfcheck-sink", groupID: "selfcheck-sink-\(runID)", inputTopics: [common.outputTopic])
        configuration.maxBatchRecords = common.batch
        let sink = PostgresSink(kafka: try common.kafka("relay-check-sink"), databaseURL: url,
                                configuration: configuration,
                                logger: common.logger("relay-check.sink")) { batch, db in
            try SelfCheckTables.write(batch, runID: runID, to: db)
        }
        try sink.run(until: stop)
    }
}

/// Writes to the self-check's tables (migration 4): one row per event id (with how often it was
/// delivered), and one row per applied Kafka offset with no conflict clause, so applying an offset
/// twice fails loudly.
enum SelfCheckTables {
    static func write(_ batch: [KafkaMessage], runID: String, to db: PostgresConnection) throws {
        var firstValue: [String: String] = [:]
        var deliveries: [String: Int] = [:]
        var order: [String] = []
        for message in batch {
            let id = String(decoding: message.key ?? [], as: UTF8.self)
            if firstValue[id] == nil {
                firstValue[id] = String(decoding: message.value ?? [], as: UTF8.self)
                order.append(id)
            }
            deliveries[id, default: 0] += 1
        }
        try db.insertRows(into: "selfcheck.events", columns: ["run_id", "event_id", "value", "deliveries"],
                          rows: order.map { [.text(runID), .text($0), .text(firstValue[$0]!), .int(Int64(deliveries[$0]!))] },
                          suffix: "ON CONFLICT (run_id, event_id) DO UPDATE SET deliveries = selfcheck.events.deliveries + EXCLUDED.deliveries")
        try db.insertRows(into: "selfcheck.applied_offsets", columns: ["run_id", "topic", "partition", "\"offset\""],
                          rows: batch.map { [.text(runID), .text($0.topic), .int(Int64($0.partition)), .int($0.offset)] })
    }
}

/// Throughput of the Kafka layer on the configured broker: idempotent produce, group consume, and
/// the transactional consume-produce loop (the ceiling every Kafka-to-Kafka stage runs under).
struct Bench: ParsableCommand {
    @OptionGroup var common: Common
    @Option(help: "Records per measurement.") var count = 200_000
    @Option(help: "Value size in bytes.") var valueBytes = 200

    func run() throws {
        let kafka = try common.kafka("relay-check-bench")
        let input = "\(common.inputTopic).bench-\(common.runID)"
        let output = "\(common.outputTopic).bench-\(common.runID)"
        _ = try KafkaAdmin(configuration: kafka).createTopics([.init(name: input, partitions: 6), .init(name: output, partitions: 6)])
        // Values are slices of random bytes, so compression does not flatter the figures.
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<(1 << 16) + valueBytes).map { _ in UInt8.random(in: 32...126, using: &generator) }

        let producer = try KafkaProducer(configuration: kafka)
        let produceSeconds = try measure {
            for n in 0..<count {
                let start = (n &* 7919) % (1 << 16)
                try producer.send(KafkaRecord(topic: input, key: Array("rec-\(n)".utf8), value: Array(noise[start..<start + valueBytes])))
            }
            try producer.flush()
        }
        report("produce (idempotent, acks=all)", count, produceSeconds)

        let consumer = try KafkaConsumer(configuration: kafka, consumer: KafkaConsumerConfiguration(groupID: "bench-consume-\(common.runID)", topics: [input]))
        // Timed from the first record, so the group join is left out.
        var consumed = 0
        while consumed == 0 { consumed += try consumer.pollBatch(maxRecords: 10_000, timeout: .seconds(10)).count }
        let consumeSeconds = try measure {
            while consumed < count { consumed += try consumer.pollBatch(maxRecords: 10_000, timeout: .seconds(10)).count }
        }
        consumer.close()
        report("consume (read_committed, group, after the first batch)", consumed, consumeSeconds)

        let stop = StopSignal()
        var config = TransactionalRelay.Configuration(stage: "bench", groupID: "bench-relay-\(common.runID)", inputTopics: [input],
                                                      transactionalID: "bench-relay-\(common.runID)", deadLetterTopic: nil)
        config.maxBatchRecords = common.batch
        let relay = TransactionalRelay(kafka: kafka, configuration: config, logger: common.logger("bench")) { message in
            [KafkaRecord(topic: output, key: message.key, value: message.value)]
        }
        let watcher = Thread {
            while relay.statistics.processed < count { Thread.sleep(forTimeInterval: 0.01) }
            stop.stop()
        }
        watcher.start()
        let total = try measure { try relay.run(until: stop) }
        // Timed from the first commit, so the group join (seconds on a test broker) is left out.
        let relaySeconds = relay.statistics.firstCommitAt.map { Date().timeIntervalSince($0) } ?? 0
        report("transactional consume-produce (\(common.batch)/txn, from first commit)", relay.statistics.processed, relaySeconds)
        print(String(format: "  (including group join: %.2f s)", total))
    }

    private func measure(_ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        try body()
        return (ContinuousClock.now - start).inSeconds
    }

    private func report(_ what: String, _ records: Int, _ seconds: Double) {
        print(String(format: "%-62@ %9d records %7.2f s %10.0f records/s", what, records, seconds, Double(records) / max(seconds, 1e-9)))
    }
}
