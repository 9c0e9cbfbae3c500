import FoodbankKafka

/// What applying the declaration to a cluster would do, computed from the cluster's current
/// topics: a plain function, so the decision is testable without a broker.
public struct TopicPlan: Sendable, Equatable {
    public var toCreate: [TopicDeclaration]
    public var unchanged: [String]
    /// Existing topics whose partition count differs from the declaration. Partitions are never
    /// changed automatically: adding them moves keys between partitions and breaks per-key order.
    public var partitionMismatches: [(name: String, declared: Int, actual: Int)]

    public static func == (a: TopicPlan, b: TopicPlan) -> Bool {
        a.toCreate == b.toCreate && a.unchanged == b.unchanged
            && a.partitionMismatches.map { "\($0.name)/\($0.declared)/\($0.actual)" } == b.partitionMismatches.map { "\($0.name)/\($0.declared)/\($0.actual)" }
    }

    public init(catalog: TopicCatalog, existingPartitions: [String: Int]) {
        toCreate = []
        unchanged = []
        partitionMismatches = []
        for topic in catalog.topics {
            guard let actual = existingPartitions[topic.name] else { toCreate.append(topic); continue }
            if actual == topic.partitions { unchanged.append(topic.name) } else {
                partitionMismatches.append((topic.name, topic.partitions, actual))
            }
        }
    }
}

extension KafkaAdmin {
    /// Creates every declared topic that is missing; idempotent. Returns the plan it carried out.
    @discardableResult
    public func apply(_ catalog: TopicCatalog, replicationFactor: Int? = nil) throws -> TopicPlan {
        let plan = TopicPlan(catalog: catalog, existingPartitions: try topicPartitionCounts())
        let replication = replicationFactor ?? catalog.defaultReplicationFactor
        _ = try createTopics(plan.toCreate.map {
            NewTopic(name: $0.name, partitions: $0.partitions, replicationFactor: replication, config: $0.brokerConfig)
        })
        return plan
    }
}
