/// One topic as `topics/topics.json` declares it.
public struct TopicDeclaration: Sendable, Equatable {
    public enum CleanupPolicy: String, Sendable {
        case delete
        case compact
        case compactDelete = "compact,delete"
    }

    public var name: String
    public var partitions: Int
    /// What the record key is (documentation, and a reminder that keys decide partitions).
    public var key: String
    public var cleanupPolicy: CleanupPolicy
    /// Milliseconds; -1 keeps records forever.
    public var retentionMs: Int64
    public var description: String
    /// Topics in one group must have equal partition counts so keyed records co-locate.
    public var copartitionGroup: String?

    public init(name: String, partitions: Int, key: String, cleanupPolicy: CleanupPolicy, retentionMs: Int64,
                description: String, copartitionGroup: String? = nil) {
        self.name = name
        self.partitions = partitions
        self.key = key
        self.cleanupPolicy = cleanupPolicy
        self.retentionMs = retentionMs
        self.description = description
        self.copartitionGroup = copartitionGroup
    }

    /// The broker-side configuration this declaration implies.
    public var brokerConfig: [String: String] {
        ["cleanup.policy": cleanupPolicy.rawValue, "retention.ms": String(retentionMs)]
    }
}
