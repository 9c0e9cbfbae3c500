import FoodbankCanonical
import FoodbankKafka
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

/// dedupe's work: pass each event id once from the canonical topics to the unique topics.
///
/// State: per input partition, a ``SeenWindow`` of the ids passed in the last `window` (longer
/// than the canonical and raw topics' retention, so any replay of them falls inside it). Every id
/// passed is written to the changelog in the same transaction as the output and the offsets, and a
/// partition's window is rebuilt from the changelog when the partition comes to this instance
/// (see ``ChangelogEntry`` for why entries are checked against the committed offsets).
///
/// Beyond the window (a replay of history older than the topics keep), duplicates are caught by the
/// sinks, which keep each source row's latest version by position.
public final class DedupeStage: RelayStage {
    public struct Configuration: Sendable {
        /// Canonical topic -> its unique topic.
        public var outputs: [String: String]
        public var changelogTopic: String
        public var changelogPartitions: Int32
        public var window: Duration = .seconds(15 * 24 * 3600)
        /// Per input partition; beyond it the oldest ids leave early (and a warning says so).
        public var capacityPerPartition = 4_000_000

        public init(outputs: [String: String], changelogTopic: String, changelogPartitions: Int32) {
            self.outputs = outputs
            self.changelogTopic = changelogTopic
            self.changelogPartitions = changelogPartitions
        }

        /// The declared canonical topics to their unique topics, and the declared changelog.
        public static func declared(_ names: TopicNames, models: [String]) throws -> Configuration {
            let changelog = try names.catalog.topic("foodbank.state.dedupe_changelog")
            return Configuration(outputs: Dictionary(uniqueKeysWithValues: try models.map {
                (try names.name("foodbank.canonical.\($0)"), try names.name("foodbank.unique.\($0)"))
            }), changelogTopic: names.applied(changelog.name), changelogPartitions: Int32(changelog.partitions))
        }
    }

    public typealias Restore = (_ changelogPartitions: [Int32], _ handle: (ChangelogEntry.Decoded) -> Void) throws -> Void

    private let configuration: Configuration
    private let restore: Restore
    private let clock: () -> Date
    private let logger: Logger
    private var windows: [TopicPartition: SeenWindow] = [:]
    /// The next offset this instance committed per partition: if the group's committed offset is
    /// still that after a rebalance, nobody else processed the partition and its window is current.
    private var committedHere: [TopicPartition: Int64] = [:]
    private var pending = Pending()
    /// Digests that left a window and still need a changelog tombstone.
    private var forgotten: [(EventDigest, TopicPartition)] = []
    public private(set) var duplicatesDropped = 0
    /// Names the canonical record a unique record was passed from (lineage, and tests tell a retried
    /// input from a duplicate that got through by it).
    public static let inputHeader = "foodbank.dedupe.input"

    private struct Pending {
        var seen: [TopicPartition: [(EventDigest, SeenWindow.Minute)]] = [:]
        var next: [TopicPartition: Int64] = [:]
        var duplicates = 0
        var tombstones = 0
    }

    public init(configuration: Configuration, logger: Logger, clock: @escaping () -> Date = Date.init, restore: @escaping Restore) {
        self.configuration = configuration
        self.restore = restore
        self.clock = clock
        self.logger = logger
    }

    private var nowMinute: SeenWindow.Minute { SeenWindow.Minute(clock().timeIntervalSince1970 / 60) }

    private func changelogPartition(of input: TopicPartition) -> Int32 { input.partition % configuration.changelogPartitions }

    public func assignmentChanged(to committed: [TopicPartition: Int64], assigned: [TopicPartition]) throws {
        let current = Set(assigned)
        windows = windows.filter { current.contains($0.key) }
        committedHere = committedHere.filter { current.contains($0.key) }
        let stale = assigned.filter { windows[$0] == nil || committedHere[$0] != committed[$0] }
        guard !stale.isEmpty else { return }
        try rebuild(Set(stale), committed: committed)
    }

    /// Reads the changelog partitions of `partitions` and keeps the committed entries inside the window.
    private func rebuild(_ partitions: Set<TopicPartition>, committed: [TopicPartition: Int64]) throws {
        let started = ContinuousClock.now
        let oldest = nowMinute &- SeenWindow.Minute(configuration.window.inSeconds / 60)
        var rebuilt = Dictionary(uniqueKeysWithValues: partitions.map { ($0, SeenWindow(capacity: configuration.capacityPerPartition)) })
        var read = 0
        try restore(Array(Set(partitions.map(changelogPartition))).sorted()) { decoded in
            read += 1
            switch decoded {
            case .entry(let entry):
                // Only entries whose input record the group has committed: see ChangelogEntry.
                guard entry.minute >= oldest, let next = committed[entry.input], entry.offset < next,
                      rebuilt[entry.input]?.contains(entry.digest) == false else { return }
                rebuilt[entry.input]?.insert(entry.digest, at: entry.minute)
            case .forget(let digest):
                for tp in rebuilt.keys { rebuilt[tp]?.remove(digest) }
            }
        }
        for (tp, window) in rebuilt {
            windows[tp] = window
            committedHere[tp] = committed[tp]
        }
        logger.info("dedupe state rebuilt from the changelog", metadata: [
            "partitions": "\(partitions.count)", "changelog_records": "\(read)", "ids": "\(rebuilt.values.map(\.count).reduce(0, +))",
            "seconds": "\(String(format: "%.2f", (ContinuousClock.now - started).inSeconds))"])
    }

    public func process(_ batch: [KafkaMessage]) throws -> RelayOutput {
        pending = Pending()
        let minute = nowMinute
        var output = RelayOutput()
        var seenInBatch = Set<EventDigest>()
        for message in batch {
            let tp = message.topicPartition
            pending.next[tp] = message.offset + 1
            guard let unique = configuration.outputs[message.topic] else {
                output.rejected.append((message, "no unique topic for \(message.topic)"))
                continue
            }
            guard message.value != nil else {
                output.rejected.append((message, "a canonical record without a value (tombstone)"))
                continue
            }
            guard let id = message.header(CanonicalHeaders.eventID).map({ String(decoding: $0, as: UTF8.self) }), !id.isEmpty else {
                output.rejected.append((message, "no foodbank.event_id header"))
                continue
            }
            let digest = EventDigest(id)
            if seenInBatch.contains(digest) || windows[tp, default: SeenWindow(capacity: configuration.capacityPerPartition)].contains(digest) {
                pending.duplicates += 1
                continue
            }
            seenInBatch.insert(digest)
            pending.seen[tp, default: []].append((digest, minute))
            // Same partition number as the input: the canonical topics' co-partitioning carries over.
            output.records.append(KafkaRecord(topic: unique, key: message.key, value: message.value, partition: message.partition,
                                              headers: message.headers + [KafkaHeader(name: Self.inputHeader, string: message.coordinates)]))
            output.records.append(KafkaRecord(topic: configuration.changelogTopic, key: Array(digest.description.utf8),
                                              value: ChangelogEntry(digest: digest, input: tp, offset: message.offset, minute: minute).value(),
                                              partition: changelogPartition(of: tp)))
        }
        for (digest, tp) in forgotten {
            output.records.append(KafkaRecord(topic: configuration.changelogTopic, key: Array(digest.description.utf8), value: nil,
                                              partition: changelogPartition(of: tp)))
        }
        pending.tombstones = forgotten.count
        return output
    }

    public func committed() {
        let oldest = nowMinute &- SeenWindow.Minute(configuration.window.inSeconds / 60)
        forgotten.removeFirst(pending.tombstones)
        for (tp, seen) in pending.seen {
            var window = windows[tp] ?? SeenWindow(capacity: configuration.capacityPerPartition)
            for (digest, minute) in seen { window.insert(digest, at: minute) }
            let evicted = window.evict(before: oldest)
            if !evicted.isEmpty, window.count >= configuration.capacityPerPartition {
                logger.warning("dedupe window full: oldest ids leave before their time", metadata: ["partition": "\(tp)"])
            }
            forgotten += evicted.map { ($0, tp) }
            windows[tp] = window
        }
        for (tp, next) in pending.next { committedHere[tp] = next }
        duplicatesDropped += pending.duplicates
        pending = Pending()
    }

    public func aborted() {
        // Nothing of the batch reached the windows; it will be read again.
        pending = Pending()
    }

    /// Ids held per partition (metrics, tests).
    public var heldIDs: [TopicPartition: Int] { windows.mapValues(\.count) }
}
