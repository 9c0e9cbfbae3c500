import FoodbankKafka
import Foundation

/// What a running loop (``TransactionalRelay``, ``PostgresSink``) tells whoever watches it: the
/// metrics endpoint, a benchmark. Called on the loop's thread, so implementations stay cheap and
/// thread-safe.
public protocol StageObserver: AnyObject, Sendable {
    /// A batch committed at `at`: its input records, and how many went to the dead-letter topic.
    func committed(_ consumed: [KafkaMessage], deadLettered: Int, at: Date)
    /// A batch was abandoned (it will be read again).
    func aborted()
    /// The loop polled: it is alive.
    func polled(at: Date)
    /// This member's partitions after a rebalance (empty: none, though it is in the group).
    func assigned(_ partitions: [TopicPartition])
    /// Records behind the high watermark per owned partition, measured every few seconds.
    func lagMeasured(_ lag: [TopicPartition: Int64])
}

extension StageObserver {
    public func aborted() {}
    public func polled(at: Date) {}
    public func assigned(_ partitions: [TopicPartition]) {}
    public func lagMeasured(_ lag: [TopicPartition: Int64]) {}
}

/// True at most once per interval: work a busy loop must not do on every poll.
struct Cadence {
    let every: Duration
    private var last = ContinuousClock.now - .seconds(3600)

    init(every: Duration) { self.every = every }

    mutating func isDue() -> Bool {
        guard ContinuousClock.now - last >= every else { return false }
        last = ContinuousClock.now
        return true
    }
}

/// Measures lag every few seconds for the observer.
struct LagProbe {
    private var cadence = Cadence(every: .seconds(5))

    mutating func measureIfDue(_ consumer: KafkaConsumer, _ observer: StageObserver?) {
        guard let observer, cadence.isDue() else { return }
        if let lag = try? consumer.lag() { observer.lagMeasured(lag) }
    }
}
