import FoodbankKafka
import FoodbankStreaming
import Foundation
import Logging
import Prometheus

/// One consumer's metrics in Prometheus' registry, fed by its loop as a ``StageObserver``: events by
/// outcome, end-to-end latency (commit time minus the record's Kafka timestamp, which the sources'
/// producers set from their commit), lag per topic and partition, last commit time; and the
/// liveness and readiness the health endpoints answer from.
public final class StageMetrics: StageObserver, @unchecked Sendable {
    public let registry = PrometheusCollectorRegistry()
    public let stage: String
    private let processed: Counter
    private let deadLettered: Counter
    private let abortedBatches: Counter
    private let latency: DurationHistogram
    private let lastCommit: Gauge
    private let lock = NSLock()
    private var lagGauges: [TopicPartition: Gauge] = [:]
    private var lastPoll: Date?
    private var everAssigned = false
    private let started = Date()

    /// Seconds, from a fraction of a second (a live stage) to the ten minutes the platform promises.
    static let latencyBuckets: [Duration] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800].map { .milliseconds(Int64($0 * 1000)) }

    public init(stage: String) {
        self.stage = stage
        let events = MetricNameDescriptor(namespace: "foodbank", metricName: "events", unitName: "total",
                                          helpText: "Input records by outcome: processed (committed), dead_lettered (part of processed), and aborted batches")
        processed = registry.makeCounter(descriptor: events, labels: [("stage", stage), ("outcome", "processed")])
        deadLettered = registry.makeCounter(descriptor: events, labels: [("stage", stage), ("outcome", "dead_lettered")])
        abortedBatches = registry.makeCounter(descriptor: events, labels: [("stage", stage), ("outcome", "aborted_batch")])
        latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "foodbank", metricName: "end_to_end_latency", unitName: "seconds",
                                             helpText: "Commit time minus the input record's Kafka timestamp"),
            labels: [("stage", stage)], buckets: Self.latencyBuckets)
        lastCommit = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "foodbank", metricName: "last_commit", unitName: "timestamp_seconds",
                                                                         helpText: "Unix time of the last committed batch"),
                                        labels: [("stage", stage)])
    }

    // MARK: StageObserver

    public func committed(_ consumed: [KafkaMessage], deadLettered count: Int, at: Date) {
        processed.increment(by: Int64(consumed.count))
        deadLettered.increment(by: Int64(count))
        lastCommit.set(to: at.timeIntervalSince1970)
        let now = Int64(at.timeIntervalSince1970 * 1000)
        for message in consumed {
            guard let timestamp = message.timestampMillis else { continue }
            latency.record(.milliseconds(max(0, now - timestamp)))
        }
    }

    public func aborted() { abortedBatches.increment() }

    public func polled(at: Date) {
        lock.lock(); defer { lock.unlock() }
        lastPoll = at
    }

    public func assigned(_ partitions: [TopicPartition]) {
        lock.lock(); defer { lock.unlock() }
        everAssigned = true
        // Partitions that moved away stop being reported as ours.
        for (tp, gauge) in lagGauges where !partitions.contains(tp) {
            registry.unregisterGauge(gauge)
            lagGauges.removeValue(forKey: tp)
        }
    }

    public func lagMeasured(_ lag: [TopicPartition: Int64]) {
        lock.lock(); defer { lock.unlock() }
        for (tp, records) in lag {
            let gauge = lagGauges[tp] ?? registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "foodbank", metricName: "consumer_lag", unitName: "records",
                                                 helpText: "Records between the consumer's position and the partition's high watermark"),
                labels: [("stage", stage), ("topic", tp.topic), ("partition", String(tp.partition))])
            lagGauges[tp] = gauge
            gauge.set(to: Double(records))
        }
    }

    // MARK: health

    /// Alive: the loop polled within `stall` (a loop stuck in a call does not poll).
    public func isAlive(stall: TimeInterval = 120, now: Date = Date()) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return now.timeIntervalSince(lastPoll ?? started) < stall
    }

    /// Ready: alive, and a member of its group with an assignment received.
    public func isReady(now: Date = Date()) -> Bool {
        lock.lock()
        let assigned = everAssigned
        lock.unlock()
        return assigned && isAlive(stall: 60, now: now)
    }

    /// The endpoints every consumer serves.
    public func routes() -> [String: MetricsServer.Route] {
        [
            "/metrics": { [registry] in .prometheus(registry) },
            "/healthz": { [weak self] in MetricsServer.Response.status(self?.isAlive() == true) },
            "/readyz": { [weak self] in MetricsServer.Response.status(self?.isReady() == true) },
        ]
    }
}

extension StageMetrics {
    /// A stage's metrics, served on `port` (nil: `FOODBANK_METRICS_PORT`, else 9400; 0: any free port).
    public static func serve(stage: String, port: Int?, logger: Logger,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StageMetrics {
        let metrics = StageMetrics(stage: stage)
        try MetricsServer(port: MetricsServer.port(option: port, environment: environment), routes: metrics.routes(), logger: logger).start()
        return metrics
    }
}
