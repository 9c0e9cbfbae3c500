import FoodbankKafka
import FoodbankNightly
import FoodbankPostgres
import FoodbankStreaming
import Foundation
import Logging

/// Resets a group to the earliest offsets or to a point in time, so it reads its inputs again.
/// Groups whose offsets live in Kafka get their committed offsets altered; groups whose offsets live
/// in PostgreSQL get theirs replaced, and from the beginning their derived tables are emptied in the
/// same transaction, so the state is rebuilt from the replay rather than added to. A replay from a
/// timestamp keeps the state: the sinks keep each source row's latest version by position, so records read again change nothing.
public enum Replay {
    public enum Start: Sendable, Equatable {
        case earliest
        /// Each partition's end, checked against its records.
        case end
        /// Unix milliseconds: each partition from its first record at or after it.
        case timestamp(Int64)
    }

    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    /// What a broker answers a commit from outside a group that has members.
    static let memberErrors: Set<String> = ["UNKNOWN_MEMBER_ID", "ILLEGAL_GENERATION", "REBALANCE_IN_PROGRESS", "FENCED_INSTANCE_ID"]

    public struct Outcome: Sendable {
        public var offsets: [TopicPartition: Int64]
        public var emptiedTables: [String]
    }

    /// `emptying` (default: from the earliest offsets only) empties the group's derived tables
    /// with the reset, so that its state is rebuilt from what it reads from `start` on alone.
    public static func run(_ group: FleetGroup, from start: Start, emptying: Bool? = nil, admin: KafkaAdmin, db: PostgresConnection,
                           logger: Logger) throws -> Outcome {
        let description = try refuseLiveMembers(group, admin: admin)
        let partitions = try admin.partitions(of: group.inputs)
        var offsets: [TopicPartition: Int64] = [:]
        switch start {
        case .earliest:
            for tp in partitions { offsets[tp] = try admin.watermarks(tp).low }
        case .timestamp(let millis):
            offsets = try admin.offsets(forTimestamp: millis, partitions: partitions)
        case .end:
            offsets = try admin.endOffsets(partitions)
        }
        var emptied: [String] = []
        // Written from outside the group, the offsets are refused while it has members: the broker's
        // own answer to "is anyone alive", which a group listing does not always give (the local
        // broker lists no members). For groups that keep offsets in PostgreSQL the Kafka copy is not
        // read by anyone, so writing it there too is the probe, and harmless.
        do {
            try admin.alterGroupOffsets(group: group.group, offsets: offsets)
        } catch let error as KafkaError where Self.memberErrors.contains(error.name) {
            throw Refused(description: "group \(group.group) has live members (the broker refused its offsets: \(error.name)); stop its instances, then replay")
        }
        switch group.offsets {
        case .kafka:
            break
        case .postgres:
            try db.transaction { db in
                if emptying ?? (start == .earliest), !group.ownedTables.isEmpty {
                    // Table names come from the fleet's declaration, never from input.
                    try db.execute("TRUNCATE \(group.ownedTables.joined(separator: ", "))")
                    emptied = group.ownedTables
                    if group.stage == "nightly" { try FinanceHold.hold(group.group, reason: start == .earliest ? "replayed from the earliest offsets" : "rebuilt from the end of its inputs (a conversion)", db) }
                }
                try StoredOffsets(group: group.group).replace(with: offsets, in: db)
            }
        }
        logger.info("group reset", metadata: ["group": "\(group.group)", "state": "\(description.state)", "partitions": "\(offsets.count)",
                                              "emptied": "\(emptied)"])
        return Outcome(offsets: offsets, emptiedTables: emptied)
    }

    /// A live member would go on committing its own positions over a reset (Kafka), or write state
    /// the reset just emptied (PostgreSQL): its instances must be stopped first.
    @discardableResult
    public static func refuseLiveMembers(_ group: FleetGroup, admin: KafkaAdmin) throws -> KafkaAdmin.GroupDescription {
        let description = try admin.describeGroup(group.group)
        guard description.memberCount == 0 else {
            throw Refused(description: "group \(group.group) has \(description.memberCount) live member(s) (state \(description.state)); stop its instances, then replay")
        }
        return description
    }
}
