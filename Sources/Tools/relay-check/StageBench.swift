// relay-check bench-stages: normalize and dedupe throughput and end-to-end latency on the local stack, beside
// the broker's transactional pass-through rate (a consume-produce loop that does no work) measured
// in the same run as the ceiling. Run by scripts/bench-canonical.sh (release build).
//
// Phases, each on topics of its own run suffix so nothing queues behind another:
//   1. the raw load is produced (RawTopicLoad: all four databases' tables and the feeds, 5% re-sent);
//   2. ceiling: a transactional copy of the raw topics, no work;
//   3. normalize over the raw topics, alone;
//   4. dedupe over normalize's output, alone;
//   5. latency: normalize and dedupe running together while the load is produced at --rate;
//      latency is the unique record's timestamp minus its raw record's.
//
// Environment: KAFKA_BOOTSTRAP_SERVERS, FOODBANK_DATABASE_URL.
import ArgumentParser
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

struct StageBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-stages", abstract: "Benchmark normalize and dedupe against the broker's transactional ceiling.")

    @Option(help: "Load size: about 2.4 canonical events per unit (450000 gives about a million).") var scale = 450_000
    @Option(help: "Records per transaction, for every stage and the ceiling.") var batch = 2000
    @Option(help: "Raw records per second produced during the latency phase.") var rate = 10_000
    @Option(help: "Raw records produced during the latency phase (0: the whole load).") var latencyRecords = 0

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)  // figures appear as they are measured, also into a file
        var logger = Logger(label: "bench-stages")
        logger.logLevel = .warning
        let catalog = try TopicCatalog.loadDefault()
        let kafka = try KafkaConfiguration.fromEnvironment(clientID: "bench-stages")
        let runID = "sb\(UInt32(Date().timeIntervalSince1970) % 1_000_000)"
        let started = ContinuousClock.now
        let load = RawTopicLoad(tag: runID, scale: scale)
        print(String(format: "load: %d raw records (%d re-sent, %d bad) generated in %.1f s; batch %d; %d cores", load.records.count, load.resent,
                     load.badRecords, (ContinuousClock.now - started).inSeconds, batch, ProcessInfo.processInfo.activeProcessorCount))

        let bench = StageBenchRun(catalog: catalog, kafka: kafka, logger: logger, batch: batch)
        let main = "\(runID)m"
        try bench.createTopics(suffix: main)
        let produceSeconds = try bench.produce(load.records, suffix: main, rate: nil)
        report("produce raw (idempotent)", load.records.count, produceSeconds)

        let ceiling = try bench.runUntil(processed: load.records.count, name: "ceiling") {
            let sink = bench.topic("foodbank.selfcheck.output", main)
            return (try bench.rawTopics(main), "ceiling-\(main)", PerRecordStage { [KafkaRecord(topic: sink, key: $0.key, value: $0.value, headers: $0.headers)] },
                    bench.topic("foodbank.dlq.normalize", main))
        }
        report("ceiling: transactional pass-through (no work)", ceiling.records, ceiling.seconds)

        let db = try PostgresConnection(url: try PostgresConfiguration.url(), logger: logger)
        let normalize = try bench.runUntil(processed: load.records.count, name: "normalize") {
            (try bench.rawTopics(main), "normalize-\(main)", try bench.normalizeStage(suffix: main, db: db), bench.topic("foodbank.dlq.normalize", main))
        }
        report("normalize", normalize.records, normalize.seconds, ceiling: ceiling.rate)

        let dedupe = try bench.runUntil(processed: normalize.written, name: "dedupe") {
            (bench.canonicalTopics(main), "dedupe-\(main)", try bench.dedupeStage(suffix: main), bench.topic("foodbank.dlq.dedupe", main))
        }
        report("dedupe", dedupe.records, dedupe.seconds, ceiling: ceiling.rate)
        print(String(format: "  normalize wrote %d canonical records; dedupe passed %d ids, dropped %d duplicates", normalize.written,
                     (dedupe.written) / 2, dedupe.records - dedupe.written / 2))

        // Latency: both stages live while the load arrives at a steady rate.
        let live = "\(runID)l"
        try bench.createTopics(suffix: live)
        let records = latencyRecords > 0 ? Array(load.records.prefix(latencyRecords)) : load.records
        let latency = try bench.latency(records: records, suffix: live, rate: rate, db: db)
        print(String(format: "end-to-end latency, raw record to unique record, %d events at %d raw records/s: p50 %.0f ms, p99 %.0f ms, max %.0f ms",
                     latency.count, rate, latency.p50, latency.p99, latency.max))
    }

    private func report(_ what: String, _ records: Int, _ seconds: Double, ceiling: Double? = nil) {
        let rate = Double(records) / max(seconds, 1e-9)
        let share = ceiling.map { String(format: "  %3.0f%% of the ceiling", 100 * rate / $0) } ?? ""
        print(String(format: "%-50@ %9d records %7.2f s %9.0f records/s%@", what, records, seconds, rate, share))
    }
}
