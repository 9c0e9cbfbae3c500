// relay-check bench-sinks: reconcile and dq throughput and source-to-table latency on the local
// stack. Run by scripts/bench-sinks.sh (release build).
//
// The load is a RawTopicLoad normalized in-process into the unique topics' records (inventory
// events, donations, orders, shipments: what dedupe passes on), plus the item master. Phases, each on
// topics of its own suffix and with a load of its own tag (event ids never repeat across phases):
//   1. throughput: the whole load produced first, then reconcile alone, then dq alone over the same
//      topics and the balances reconcile published; timed from each one's first commit;
//   2. latency at each --rates value: reconcile and dq running together while records arrive at that
//      rate; a record's latency is its database commit time minus its Kafka timestamp (when it was
//      produced, standing in for its source commit: cdc, normalize and dedupe add their own latency,
//      measured by scripts/bench-canonical.sh).
//
// Environment: KAFKA_BOOTSTRAP_SERVERS, FOODBANK_DATABASE_URL.
import ArgumentParser
import FoodbankCanonical
import FoodbankDQ
import FoodbankJSON
import FoodbankKafka
import FoodbankPostgres
import FoodbankReconcile
import FoodbankSimulator
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

struct SinkBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-sinks", abstract: "Benchmark reconcile and dq: throughput and latency.")

    @Option(help: "Load size of the throughput phase (about 2.4 unique records per unit).") var scale = 100_000
    @Option(help: "Records per database transaction.") var batch = 5000
    @Option(parsing: .upToNextOption, help: "Unique records per second of the latency phases.") var rates = [100, 1000]
    @Option(help: "Seconds each latency phase produces for.") var latencySeconds = 30

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        var logger = Logger(label: "bench-sinks")
        logger.logLevel = .warning
        let bench = SinkBenchRun(catalog: try TopicCatalog.loadDefault(), kafka: try KafkaConfiguration.fromEnvironment(clientID: "bench-sinks"),
                                 databaseURL: try PostgresConfiguration.url(), logger: logger, batch: batch)
        let runID = "kb\(UInt32(Date().timeIntervalSince1970) % 1_000_000)"

        let load = SinkBenchRun.uniqueRecords(tag: "\(runID)t", scale: scale)
        let main = "\(runID)t"
        try bench.createTopics(suffix: main)
        let produced = try bench.produce(load, suffix: main, rate: nil)
        print(String(format: "load: %d unique records and items (from RawTopicLoad scale %d) produced in %.1f s; batch %d; %d cores",
                     load.count, scale, produced, batch, ProcessInfo.processInfo.activeProcessorCount))
        let reconcile = try measure("reconcile", until: load.count, try bench.reconcileSink(suffix: main))
        report("reconcile (ledger, on-hand, balances out)", reconcile)
        let dq = try measure("dq", until: load.count + reconcile.written, try bench.dqSink(suffix: main))
        report("dq (four checks, balances in)", dq)

        for rate in rates {
            let suffix = "\(runID)r\(rate)"
            try bench.createTopics(suffix: suffix)
            let records = Array(SinkBenchRun.uniqueRecords(tag: suffix, scale: max(rate * latencySeconds * 10 / 24, 10)).prefix(rate * latencySeconds))
            let latency = try bench.latency(records: records, suffix: suffix, rate: rate)
            for (stage, figures) in latency.sorted(by: { $0.key > $1.key }) {
                print(String(format: "latency at %5d records/s, %-9@ %7d records: p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms", rate, stage, figures.count,
                             figures.p50, figures.p99, figures.max))
            }
        }
    }

    private func report(_ what: String, _ measured: Measured) {
        print(String(format: "%-45@ %9d records %7.2f s %9.0f records/s", what, measured.records, measured.seconds, measured.rate))
    }
}
