import FoodbankCanonical
import FoodbankKafka
import FoodbankStreaming
import FoodbankTopics
import Foundation

/// normalize's work on a batch: every raw record to canonical records on the model topics, bad
/// records to the dead-letter topic, and lines whose header has not been read yet held back.
///
/// A held line stops its partition at that record (later records of the partition wait too, so a
/// row's versions stay in order) and is read again in a later batch. Source foreign keys commit a
/// header before its lines, so the wait ends once the header's partition is read; a line still
/// waiting after `maxWait` goes to the dead-letter topic rather than stalling its partition.
public final class NormalizeStage: RelayStage {
    public struct Topics: Sendable {
        /// Raw topic -> its rule.
        public var sources: [String: RawSource]
        /// Canonical model (`inventory_events`, ...) -> its topic.
        public var outputs: [String: String]

        public init(sources: [String: RawSource], outputs: [String: String]) {
            self.sources = sources
            self.outputs = outputs
        }

        /// Every declared raw topic with a rule, and the declared canonical topics.
        public static func declared(_ names: TopicNames) throws -> Topics {
            let raw = (names.catalog.names(withPrefix: "foodbank.cdc.") + names.catalog.names(withPrefix: "foodbank.files."))
                .compactMap { declared in RawSource.forTopic(declared).map { (names.applied(declared), $0) } }
            return Topics(sources: Dictionary(uniqueKeysWithValues: raw),
                          outputs: Dictionary(uniqueKeysWithValues: try CanonicalOutput.models.map { ($0, try names.name("foodbank.canonical.\($0)")) }))
        }
    }

    private let topics: Topics
    private let parents: ParentKeyStore
    private let maxWait: Duration
    private let clock: () -> Date
    /// When each held record was first held, so the wait is bounded.
    private var heldSince: [TopicPartition: (offset: Int64, since: Date)] = [:]

    public init(topics: Topics, parents: ParentKeyStore, maxWait: Duration = .seconds(15 * 60), clock: @escaping () -> Date = Date.init) {
        precondition(Set(CanonicalOutput.models).isSubset(of: topics.outputs.keys), "every canonical model needs its topic")
        self.topics = topics
        self.parents = parents
        self.maxWait = maxWait
        self.clock = clock
    }

    public func assignmentChanged(to committed: [TopicPartition: Int64], assigned: [TopicPartition]) throws {
        heldSince = heldSince.filter { assigned.contains($0.key) }
    }

    public func process(_ batch: [KafkaMessage]) throws -> RelayOutput {
        let now = clock()
        // Header facts first, so lines in the same batch (or another instance's) can find them;
        // then every line's question is answered by the store alone, the same way on every replay.
        try parents.record(batch.flatMap { message in (try? topics.sources[message.topic]?.parentFacts(message.value)) ?? [] })
        var wanted = Set<ParentLookup>()
        for message in batch where topics.sources[message.topic]?.keyedThroughParent == true {
            _ = try? normalize(message, now: now) { wanted.insert($0); return nil }
        }
        let known = try parents.keys(for: wanted)

        var output = RelayOutput()
        for message in batch where output.heldFrom[message.topicPartition] == nil {
            do {
                switch try normalize(message, now: now, keyOf: { known[$0] }) {
                case .outputs(let records):
                    output.records += records.map { record(for: $0, from: message) }
                    heldSince[message.topicPartition] = nil
                case .unreadable(let records, let rejection):
                    output.records += records.map { record(for: $0, from: message) }
                    output.rejected.append((message, rejection.reason))
                    heldSince[message.topicPartition] = nil
                case .waitingFor(let parent):
                    if let waited = waitedTooLong(message, now: now) {
                        output.rejected.append((message, "its \(parent) was not seen within \(waited)"))
                        heldSince[message.topicPartition] = nil
                    } else {
                        output.heldFrom[message.topicPartition] = message.offset
                    }
                }
            } catch let rejection as Rejection {
                output.rejected.append((message, rejection.reason))
            }
        }
        return output
    }

    private func normalize(_ message: KafkaMessage, now: Date, keyOf: (ParentLookup) -> String?) throws -> NormalizedRecord {
        guard let source = topics.sources[message.topic] else { throw Rejection("no normalization rule for topic \(message.topic)") }
        return try source.outputs(message.value, processedAt: now, keyOf: keyOf)
    }

    /// Records when a held record started waiting; returns the wait if it has exceeded `maxWait`.
    private func waitedTooLong(_ message: KafkaMessage, now: Date) -> Duration? {
        let tp = message.topicPartition
        guard let held = heldSince[tp], held.offset == message.offset else {
            heldSince[tp] = (message.offset, now)
            return nil
        }
        return now.timeIntervalSince(held.since) >= maxWait.inSeconds ? maxWait : nil
    }

    private func record(for output: CanonicalOutput, from message: KafkaMessage) -> KafkaRecord {
        KafkaRecord(topic: topics.outputs[output.model]!, key: Array(output.key.utf8), value: output.value.encoded(),
                    headers: [KafkaHeader(name: CanonicalHeaders.eventID, string: output.eventID),
                              KafkaHeader(name: CanonicalHeaders.source, string: message.coordinates)])
    }
}
