import FoodbankCanonical
import FoodbankDQ
import FoodbankJSON
import FoodbankKafka
import FoodbankReconcile
import FoodbankSimulator
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

/// bench-sinks' plumbing: the load, topics with a run suffix, and running the two sinks.
struct SinkBenchRun {
    let catalog: TopicCatalog
    let kafka: KafkaConfiguration
    let databaseURL: String
    let logger: Logger
    let batch: Int

    func names(_ suffix: String) -> TopicNames { TopicNames(catalog: catalog, suffix: suffix) }

    /// A RawTopicLoad normalized in-process, as dedupe would pass it on (with its re-sent records:
    /// the sinks must take those too), and the item master of its skus.
    static func uniqueRecords(tag: String, scale: Int) -> [KafkaRecord] {
        let load = RawTopicLoad(tag: tag, scale: scale)
        var parents: [ParentReference: String] = [:]
        for record in load.records {
            for fact in (try? RawSource.forTopic(record.topic)?.parentFacts(record.value)) ?? [] { parents[fact.parent] = fact.key }
        }
        var records = (1...Simulation.skuCount).map { index -> KafkaRecord in
            let row = JSONValue.object(["sku": .string(Simulation.sku(index)), "description": .string("item \(index)"), "category": .string("dry_goods"),
                                        "unit_weight_lbs": .string("\(Simulation.unitWeight(index))"), "perishable": .bool(false), "active": .bool(true)])
            let change = JSONValue.object(["op": .string("r"), "before": .null, "after": row, "source": .object(["lsn": .int(1), "txId": .int(1)])])
            return KafkaRecord(topic: "foodbank.cdc.warehouse.wms.items", key: Array(Simulation.sku(index).utf8), value: change.encoded())
        }
        for record in load.records {
            guard case .outputs(let outputs)? = try? RawSource.forTopic(record.topic)?.outputs(record.value, processedAt: Date(), keyOf: { parents[$0.parent] })
            else { continue }
            records += outputs.map { KafkaRecord(topic: "foodbank.unique.\($0.model)", key: Array($0.key.utf8), value: $0.value.encoded()) }
        }
        return records
    }

    func createTopics(suffix: String) throws {
        let names = names(suffix)
        let declared = catalog.topics.filter { $0.name.hasPrefix("foodbank.unique.") || $0.name.hasPrefix("foodbank.ops.") }.map(\.name)
            + ["foodbank.cdc.warehouse.wms.items", "foodbank.dlq.reconcile", "foodbank.dlq.dq"]
        _ = try KafkaAdmin(configuration: kafka).createTopics(try declared.map { .init(name: names.applied($0), partitions: try catalog.topic($0).partitions) })
    }

    /// Produces the records with the suffix (at `rate` per second if given); returns the seconds it took.
    func produce(_ records: [KafkaRecord], suffix: String, rate: Int?) throws -> Double {
        let names = names(suffix)
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let start = ContinuousClock.now
        for (index, record) in records.enumerated() {
            if let rate, index % max(rate / 100, 1) == 0 {
                let due = start + .milliseconds(index * 1000 / rate)
                if ContinuousClock.now < due { Thread.sleep(forTimeInterval: (due - ContinuousClock.now).inSeconds) }
            }
            try producer.send(KafkaRecord(topic: names.applied(record.topic), key: record.key, value: record.value))
        }
        try producer.flush()
        return (ContinuousClock.now - start).inSeconds
    }

    func reconcileSink(suffix: String) throws -> PostgresSink {
        try ReconcileStage.sink(kafka: kafka, databaseURL: databaseURL, names: names(suffix), group: "reconcile-\(suffix)", batch: batch, logger: logger)
    }

    func dqSink(suffix: String) throws -> PostgresSink {
        var settings = DQStage.Settings()
        settings.group = "dq-\(suffix)"
        settings.batch = batch
        return try DQStage.sink(kafka: kafka, databaseURL: databaseURL, names: names(suffix), settings: settings, logger: logger)
    }

    /// reconcile and dq together while `records` arrive at `rate`: per record, commit time minus
    /// Kafka timestamp. dq's figure covers the records from the unique topics, not the balances.
    func latency(records: [KafkaRecord], suffix: String, rate: Int) throws -> [String: Latency] {
        let balances = names(suffix).applied("foodbank.ops.inventory_balances")
        let samples = LatencySamples()
        let reconcile = try reconcileSink(suffix: suffix)
        let dq = try dqSink(suffix: suffix)
        reconcile.observer = StageLatency(stage: "reconcile", samples: samples) { _ in true }
        dq.observer = StageLatency(stage: "dq", samples: samples) { $0.topic != balances }
        let stop = StopSignal()
        let failure = Failure()
        let threads = [reconcile, dq].map { sink in Thread { do { try sink.run(until: stop) } catch { failure.set(error); stop.stop() } } }
        threads.forEach { $0.start() }
        // Both groups joined before the clock starts: a join is not latency. Items are harmless to repeat.
        var warmUp = 0
        while reconcile.statistics.committedBatches == 0 || dq.statistics.committedBatches == 0 {
            _ = try produce([records[0]], suffix: suffix, rate: nil)
            warmUp += 1
            Thread.sleep(forTimeInterval: 0.5)
            if let error = failure.error { throw error }
        }
        samples.reset()
        _ = try produce(records, suffix: suffix, rate: rate)
        let deadline = ContinuousClock.now + .seconds(600)
        while samples.count("reconcile") < records.count || samples.count("dq") < records.count {
            guard ContinuousClock.now < deadline, !stop.isStopped else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop.stop()
        threads.forEach { thread in while thread.isExecuting { Thread.sleep(forTimeInterval: 0.01) } }
        if let error = failure.error { throw error }
        return try samples.figures()
    }
}

/// Feeds one sink's commits to the samples.
final class StageLatency: StageObserver, @unchecked Sendable {
    let stage: String
    let samples: LatencySamples
    let counts: (KafkaMessage) -> Bool

    init(stage: String, samples: LatencySamples, counts: @escaping (KafkaMessage) -> Bool) {
        (self.stage, self.samples, self.counts) = (stage, samples, counts)
    }

    func committed(_ consumed: [KafkaMessage], deadLettered: Int, at: Date) { samples.add(stage, consumed.filter(counts), at: at) }
}

/// Latency samples per stage, from the sinks' threads.
final class LatencySamples: @unchecked Sendable {
    private let lock = NSLock()
    private var samples: [String: [Double]] = [:]

    func add(_ stage: String, _ batch: [KafkaMessage], at: Date) {
        let now = at.timeIntervalSince1970 * 1000
        let latencies = batch.compactMap { $0.timestampMillis.map { now - Double($0) } }
        lock.lock(); defer { lock.unlock() }
        samples[stage, default: []] += latencies
    }

    func reset() { lock.lock(); defer { lock.unlock() }; samples = [:] }

    func count(_ stage: String) -> Int { lock.lock(); defer { lock.unlock() }; return samples[stage]?.count ?? 0 }

    func figures() throws -> [String: Latency] {
        lock.lock(); defer { lock.unlock() }
        return try samples.mapValues { try Latency(milliseconds: $0) }
    }
}
