/// How a consumer joins its group. Defaults suit the platform's stages: offsets are never
/// auto-committed (a stage commits them in a transaction, to Kafka or to PostgreSQL) and
/// only committed transactions are read.
public struct KafkaConsumerConfiguration: Sendable {
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "read_committed"
        case readUncommitted = "read_uncommitted"
    }

    public enum AssignmentStrategy: String, Sendable {
        /// Eager: every rebalance revokes everything. Simplest to reason about for stages that
        /// seek to offsets stored in PostgreSQL.
        case range
        case roundRobin = "roundrobin"
        /// Incremental: partitions that stay with a member keep flowing during a rebalance.
        case cooperativeSticky = "cooperative-sticky"
    }

    public enum OffsetReset: String, Sendable {
        case earliest, latest
        /// Fail instead of guessing; the operator decides.
        case error
    }

    public var groupID: String
    public var topics: [String]
    public var isolationLevel: IsolationLevel = .readCommitted
    public var assignmentStrategy: AssignmentStrategy = .range
    /// Where a partition without a committed offset starts.
    public var offsetReset: OffsetReset = .earliest
    /// A member silent for this long is dropped from the group (librdkafka's default is 45 s;
    /// a shorter one makes a crashed instance's partitions move sooner).
    public var sessionTimeout: Duration = .seconds(10)
    /// The longest a stage may spend on one batch before the group considers it stuck.
    public var maxPollInterval: Duration = .seconds(300)

    public init(groupID: String, topics: [String]) {
        self.groupID = groupID
        self.topics = topics
    }

    /// Settings an operator may tune through `KAFKA_PROPERTY_*` (applied before the pass-through properties).
    var tunableProperties: [String: String] {
        [
            "partition.assignment.strategy": assignmentStrategy.rawValue,
            "auto.offset.reset": offsetReset.rawValue,
            "session.timeout.ms": String(sessionTimeout.milliseconds),
            "heartbeat.interval.ms": String(max(sessionTimeout.milliseconds / 4, 100)),
            "max.poll.interval.ms": String(maxPollInterval.milliseconds),
        ]
    }

    /// Settings the exactly-once design depends on; nothing overrides them.
    var requiredProperties: [String: String] {
        [
            "group.id": groupID,
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "enable.partition.eof": "false",
            "isolation.level": isolationLevel.rawValue,
        ]
    }
}

extension Duration {
    /// The duration in seconds, for rates and for APIs that take a `TimeInterval`.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole milliseconds, clamped to what librdkafka's `int` timeouts accept.
    public var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
