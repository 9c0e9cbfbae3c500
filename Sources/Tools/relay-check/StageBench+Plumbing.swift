import FoodbankCanonical
import FoodbankDedupe
import FoodbankKafka
import FoodbankNormalize
import FoodbankPostgres
import FoodbankSimulator
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

/// The benchmark's plumbing: topics with a run suffix, producing, and running a stage until it has
/// consumed a known number of records.
struct StageBenchRun {
    let catalog: TopicCatalog
    let kafka: KafkaConfiguration
    let logger: Logger
    let batch: Int

    func topic(_ declared: String, _ suffix: String) -> String { TopicNames(catalog: catalog, suffix: suffix).applied(declared) }

    func rawTopics(_ suffix: String) throws -> [String] {
        try NormalizeStage.Topics.declared(TopicNames(catalog: catalog, suffix: suffix)).sources.keys.sorted()
    }

    func canonicalTopics(_ suffix: String) -> [String] { CanonicalOutput.models.map { topic("foodbank.canonical.\($0)", suffix) } }

    /// Every topic normalize and dedupe touch, plus the ceiling's output, with the run's suffix.
    func createTopics(suffix: String) throws {
        let declared = try rawTopics("")
            + CanonicalOutput.models.flatMap { ["foodbank.canonical.\($0)", "foodbank.unique.\($0)"] }
            + ["foodbank.state.dedupe_changelog", "foodbank.dlq.normalize", "foodbank.dlq.dedupe", "foodbank.selfcheck.output"]
        _ = try KafkaAdmin(configuration: kafka).createTopics(try declared.map { .init(name: topic($0, suffix), partitions: try catalog.topic($0).partitions) })
    }

    /// Produces the records (at `rate` per second if given); returns the seconds it took.
    func produce(_ records: [RawTopicLoad.Record], suffix: String, rate: Int?) throws -> Double {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let start = ContinuousClock.now
        for (index, record) in records.enumerated() {
            if let rate, index % 100 == 0 {
                let due = start + .milliseconds(index * 1000 / rate)
                if ContinuousClock.now < due { Thread.sleep(forTimeInterval: (due - ContinuousClock.now).inSeconds) }
            }
            try producer.send(KafkaRecord(topic: topic(record.topic, suffix), key: Array(record.key.utf8), value: record.value))
        }
        try producer.flush()
        return (ContinuousClock.now - start).inSeconds
    }

    func normalizeStage(suffix: String, db: PostgresConnection) throws -> NormalizeStage {
        NormalizeStage(topics: try .declared(TopicNames(catalog: catalog, suffix: suffix)), parents: ParentKeys(db: db))
    }

    func dedupeStage(suffix: String) throws -> DedupeStage {
        let configuration = try DedupeStage.Configuration.declared(TopicNames(catalog: catalog, suffix: suffix), models: CanonicalOutput.models)
        let reader = ChangelogReader(kafka: kafka, topic: configuration.changelogTopic)
        let logger = self.logger
        return DedupeStage(configuration: configuration, logger: logger) { partitions, handle in
            try reader.read(partitions: partitions, logger: logger, handle: handle)
        }
    }

    func relay(inputs: [String], group: String, stage: RelayStage, dlq: String) -> TransactionalRelay {
        var configuration = TransactionalRelay.Configuration(stage: group, groupID: group, inputTopics: inputs, transactionalID: group, deadLetterTopic: dlq)
        configuration.maxBatchRecords = batch
        return TransactionalRelay(kafka: kafka, configuration: configuration, logger: logger, stage: stage)
    }

    /// Runs one stage until it has consumed `processed` records (see ``measure``).
    func runUntil(processed: Int, name: String, _ make: () throws -> (inputs: [String], group: String, stage: RelayStage, dlq: String)) throws -> Measured {
        let (inputs, group, stage, dlq) = try make()
        return try measure(name, until: processed, relay(inputs: inputs, group: group, stage: stage, dlq: dlq))
    }

    /// normalize and dedupe together while `records` arrive at `rate`; the latency of each unique
    /// record from its raw record's timestamp.
    func latency(records: [RawTopicLoad.Record], suffix: String, rate: Int, db: PostgresConnection) throws -> Latency {
        let stop = StopSignal()
        let failure = Failure()
        let normalize = relay(inputs: try rawTopics(suffix), group: "normalize-\(suffix)", stage: try normalizeStage(suffix: suffix, db: db),
                              dlq: topic("foodbank.dlq.normalize", suffix))
        let dedupe = relay(inputs: canonicalTopics(suffix), group: "dedupe-\(suffix)", stage: try dedupeStage(suffix: suffix),
                           dlq: topic("foodbank.dlq.dedupe", suffix))
        let threads = [normalize, dedupe].map { relay in
            Thread { do { try relay.run(until: stop) } catch { failure.set(error); stop.stop() } }
        }
        threads.forEach { $0.start() }
        // Both groups joined before the clock starts: a join is not pipeline latency.
        while normalize.statistics.committedBatches == 0 || dedupe.statistics.committedBatches == 0 {
            _ = try produce([records[0]], suffix: suffix, rate: nil)
            Thread.sleep(forTimeInterval: 0.5)
            if let error = failure.error { throw error }
        }
        _ = try produce(records, suffix: suffix, rate: rate)
        let deadline = ContinuousClock.now + .seconds(1800)
        while normalize.statistics.processed < records.count || dedupe.statistics.processed < normalize.statistics.written {
            guard ContinuousClock.now < deadline, !stop.isStopped else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop.stop()
        threads.forEach { thread in while thread.isExecuting { Thread.sleep(forTimeInterval: 0.01) } }
        if let error = failure.error { throw error }

        let rawTimes = try readAll(try rawTopics(suffix)).reduce(into: [String: Int64]()) { $0[$1.coordinates] = $1.timestampMillis }
        var latencies: [Double] = []
        for message in try readAll(CanonicalOutput.models.map { topic("foodbank.unique.\($0)", suffix) }) {
            guard let source = message.header(CanonicalHeaders.source).map({ String(decoding: $0, as: UTF8.self) }), let raw = rawTimes[source],
                  let done = message.timestampMillis else { continue }
            latencies.append(Double(done - raw))
        }
        return try Latency(milliseconds: latencies)
    }

    /// Everything in `topics`, read until a second passes with nothing new.
    private func readAll(_ topics: [String]) throws -> [KafkaMessage] {
        var configuration = KafkaConsumerConfiguration(groupID: "bench-reader-\(UUID().uuidString.prefix(8))", topics: topics)
        configuration.sessionTimeout = .seconds(6)
        let consumer = try KafkaConsumer(configuration: kafka, consumer: configuration, logger: logger)
        defer { consumer.close() }
        var messages: [KafkaMessage] = []
        var idle = ContinuousClock.now
        while ContinuousClock.now - idle < .seconds(messages.isEmpty ? 20 : 2) {
            let batch = try consumer.pollBatch(maxRecords: 10_000, timeout: .milliseconds(200))
            if !batch.isEmpty { idle = ContinuousClock.now }
            messages += batch
        }
        return messages
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The first error of a stage thread, read by the main thread.
final class Failure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?
    func set(_ error: Error) { lock.lock(); defer { lock.unlock() }; if first == nil { first = error } }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return first }
}
