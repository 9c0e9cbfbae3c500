import FoodbankCanonical
import FoodbankKafka
import FoodbankNormalize
import FoodbankSimulator
import FoodbankTopics
import Foundation

/// normalize and dedupe on topics of their own (every declared name with a `.<tag>` suffix), fed
/// with a ``RawTopicLoad``, and what that load must come to.
struct CanonicalPipelineRun {
    let tag = TestStack.uniqueName("cp").replacingOccurrences(of: "-", with: "_")
    let catalog: TopicCatalog
    let kafka: KafkaConfiguration
    let admin: KafkaAdmin
    var normalizeGroup: String { "normalize-\(tag)" }
    var dedupeGroup: String { "dedupe-\(tag)" }

    init() throws {
        catalog = try TopicCatalog.loadDefault()
        kafka = try TestStack.kafka
        admin = try KafkaAdmin(configuration: kafka)
    }

    func topic(_ declared: String) -> String { TopicNames(catalog: catalog, suffix: tag).applied(declared) }

    /// The raw topics normalize reads, as declared (declared CDC and file topics with a rule).
    var rawTopics: [String] {
        (try? NormalizeStage.Topics.declared(TopicNames(catalog: catalog)).sources.keys.sorted()) ?? []
    }

    func createTopics() throws {
        let declared = rawTopics + CanonicalOutput.models.flatMap { ["foodbank.canonical.\($0)", "foodbank.unique.\($0)"] }
            + ["foodbank.state.dedupe_changelog", "foodbank.dlq.normalize", "foodbank.dlq.dedupe"]
        _ = try admin.createTopics(try declared.map { .init(name: topic($0), partitions: try catalog.topic($0).partitions) })
    }

    func produce(_ records: ArraySlice<RawTopicLoad.Record>) throws {
        let producer = try KafkaProducer(configuration: kafka)
        for record in records {
            try producer.send(KafkaRecord(topic: topic(record.topic), key: Array(record.key.utf8), value: record.value))
        }
        try producer.flush()
    }

    func start(_ executable: String, instance: String, group: String? = nil) throws -> ChildProcess {
        let group = group ?? (executable == "normalize" ? normalizeGroup : dedupeGroup)
        return try ChildProcess(TestStack.binDirectory.appendingPathComponent(executable), ["--group", group, "--topic-suffix", tag, "--batch", "1000"],
                                // A short poll interval bounds how long a join waits for a member that is gone
                                // (it is the rebalance timeout): on Tansu 0.6.0 a join after the group's members
                                // left cleanly once waited out the whole default 300 s.
                                environment: TestStack.environment.merging(["KAFKA_PROPERTY_SESSION_TIMEOUT_MS": "6000",
                                                                            "KAFKA_PROPERTY_MAX_POLL_INTERVAL_MS": "45000",
                                                                            "FOODBANK_INSTANCE_ID": instance]) { _, new in new },
                                name: "\(executable)-\(instance)-\(tag)")
    }

    /// The sum of a group's committed offsets over `topics`: its progress.
    func committed(_ group: String, topics: [String]) throws -> [TopicPartition: Int64] {
        try admin.groupOffsets(group: group, partitions: try admin.partitions(of: topics.map(topic)))
    }

    /// The event ids normalize must make of `load`, by model; computed with the same rules, in-process.
    static func expectedIDs(_ load: RawTopicLoad) -> [String: Set<String>] {
        var parents: [ParentReference: String] = [:]
        for record in load.records {
            for fact in (try? RawSource.forTopic(record.topic)?.parentFacts(record.value)) ?? [] { parents[fact.parent] = fact.key }
        }
        var ids: [String: Set<String>] = [:]
        for record in load.records {
            guard case .outputs(let outputs)? = try? RawSource.forTopic(record.topic)?.outputs(record.value, processedAt: Date(), keyOf: { parents[$0.parent] })
            else { continue }
            for output in outputs { ids[output.model, default: []].insert(output.eventID) }
        }
        return ids
    }
}
