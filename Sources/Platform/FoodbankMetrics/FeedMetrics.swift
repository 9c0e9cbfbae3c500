import Foundation
import Prometheus

/// sftp-watcher's metrics: files by feed and outcome, and the time of its last poll that reached
/// the inbox (its liveness: a watcher that cannot reach the inbox keeps running, and says so here).
public final class FeedMetrics: @unchecked Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let lastPoll: Gauge
    // Guards `files` and `lastPollAt`: polls and scrapes run on different threads.
    private let lock = NSLock()
    private var files: [String: Counter] = [:]
    private var lastPollAt: Date?
    private let started = Date()

    public init() {
        lastPoll = registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "foodbank", metricName: "feed_last_poll", unitName: "timestamp_seconds",
                                             helpText: "Unix time of the last poll that read the inbox"))
    }

    /// Counts one file of `feed` with `outcome` (published, corrected, redelivered, held, quarantined).
    public func fileDecided(feed: String, outcome: String) {
        lock.lock(); defer { lock.unlock() }
        let key = "\(feed)\u{0}\(outcome)"
        let counter = files[key] ?? registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "foodbank", metricName: "feed_files", unitName: "total",
                                             helpText: "Feed files by outcome: published, corrected (a new version), redelivered, held (incomplete), quarantined"),
            labels: [("feed", feed), ("outcome", outcome)])
        files[key] = counter
        counter.increment()
    }

    public func polled(at: Date) {
        lock.lock(); defer { lock.unlock() }
        lastPollAt = at
        lastPoll.set(to: at.timeIntervalSince1970)
    }

    /// Alive: a poll read the inbox within `stall` seconds.
    public func isAlive(stall: TimeInterval, now: Date = Date()) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return now.timeIntervalSince(lastPollAt ?? started) < stall
    }

    /// `/metrics`, and `/healthz` and `/readyz` (both: alive within `stall`).
    public func routes(stall: TimeInterval) -> [String: MetricsServer.Route] {
        [
            "/metrics": { [registry] in .prometheus(registry) },
            "/healthz": { [weak self] in MetricsServer.Response.status(self?.isAlive(stall: stall) == true) },
            "/readyz": { [weak self] in MetricsServer.Response.status(self?.isAlive(stall: stall) == true) },
        ]
    }
}
