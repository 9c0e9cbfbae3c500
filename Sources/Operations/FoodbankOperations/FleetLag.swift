import FoodbankKafka
import FoodbankPostgres
import FoodbankStreaming
import Foundation

/// Every group's progress against the end of its input partitions, wherever the group keeps its
/// offsets: what `kafka-consumer-groups --describe` shows, for the whole fleet.
public struct LagRow: Sendable, Equatable {
    public var group: String
    public var topic: String
    public var partition: Int32
    /// The next offset the group will read; nil: it has none yet (it starts at the beginning).
    public var committed: Int64?
    public var logEnd: Int64
    public var lag: Int64
    public var members: Int

    /// The broker reports an end below the committed offset (Tansu 0.6.0 does, for multi-record batches).
    public var brokerBehind: Bool { (committed ?? 0) > logEnd }
}

public struct MissingDatabase: Error, CustomStringConvertible {
    public let group: String
    public var description: String { "group \(group) keeps its offsets in PostgreSQL: FOODBANK_DATABASE_URL is needed" }
}

public enum FleetLag {
    /// `db` is needed only for groups whose offsets live in PostgreSQL.
    public static func measure(_ groups: [FleetGroup], admin: KafkaAdmin, db: PostgresConnection?) throws -> [LagRow] {
        var rows: [LagRow] = []
        // Inputs not provisioned (yet) have no lag to show; `foodbank-ctl topics check` names them.
        let existing = try admin.topicPartitionCounts()
        for group in groups {
            let partitions = try admin.partitions(of: group.inputs.filter { existing[$0] != nil })
            let committed: [TopicPartition: Int64]
            switch group.offsets {
            case .kafka: committed = try admin.groupOffsets(group: group.group, partitions: partitions)
            case .postgres:
                guard let db else { throw MissingDatabase(group: group.group) }
                committed = try StoredOffsets(group: group.group).load(partitions, from: db)
            }
            let members = try admin.describeGroup(group.group).memberCount
            for tp in partitions {
                let marks = try admin.watermarks(tp)
                // The local broker can report a high watermark below a committed offset (it counts
                // batches, not records): lag is then zero, never negative.
                let lag = max(0, marks.high - (committed[tp] ?? marks.low))
                rows.append(LagRow(group: group.group, topic: tp.topic, partition: tp.partition, committed: committed[tp], logEnd: marks.high,
                                   lag: lag, members: members))
            }
        }
        return rows
    }

    /// A table like `kafka-consumer-groups --describe`, and a total per group.
    public static func render(_ rows: [LagRow]) -> String {
        var lines = ["GROUP".padded(24) + " TOPIC".padded(56) + " PART    CURRENT    LOG-END        LAG MEMBERS"]
        for row in rows {
            lines.append(row.group.padded(24) + " " + row.topic.padded(55)
                         + String(format: " %4d %10@ %10lld %10lld %7d%@", row.partition, row.committed.map { String($0) } ?? "-", row.logEnd, row.lag,
                                  row.members, row.brokerBehind ? " *" : ""))
        }
        for group in Dictionary(grouping: rows, by: \.group).sorted(by: { $0.key < $1.key }) {
            lines.append("total lag of \(group.key): \(group.value.map(\.lag).reduce(0, +))")
        }
        if rows.contains(where: \.brokerBehind) { lines.append("* the broker reports a high watermark below the committed offset; lag shown as 0") }
        return lines.joined(separator: "\n")
    }

    /// The rows in Prometheus' text format: `foodbank_group_lag_records{group,topic,partition}`.
    public static func prometheus(_ rows: [LagRow]) -> String {
        var text = "# HELP foodbank_group_lag_records Records between a group's committed offset and the partition's end\n# TYPE foodbank_group_lag_records gauge\n"
        for row in rows {
            text += "foodbank_group_lag_records{group=\"\(row.group)\",topic=\"\(row.topic)\",partition=\"\(row.partition)\"} \(row.lag)\n"
        }
        return text
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : padding(toLength: width, withPad: " ", startingAt: 0) }
}
