import FoodbankKafka
import FoodbankPostgres

/// Consumer offsets kept in PostgreSQL (`platform.consumer_offsets`), written in the same
/// transaction as the data they cover.
public struct StoredOffsets: Sendable {
    public let group: String

    public init(group: String) { self.group = group }

    /// The next offset to read for each partition that has one.
    public func load(_ partitions: [TopicPartition], from db: PostgresConnection) throws -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let topics = Array(Set(partitions.map(\.topic)))
        let result = try db.execute("""
            SELECT topic, partition, next_offset FROM platform.consumer_offsets
            WHERE consumer_group = $1 AND topic = ANY($2::text[])
            """, [.text(group), .text(Self.textArray(topics))])
        let wanted = Set(partitions)
        var offsets: [TopicPartition: Int64] = [:]
        for row in 0..<result.count {
            let tp = TopicPartition(topic: result.value(row, "topic")!, partition: Int32(result.int(row, "partition")!))
            if wanted.contains(tp) { offsets[tp] = result.int(row, "next_offset")! }
        }
        return offsets
    }

    /// Advances each partition from `expected` to `next`, inside the caller's transaction. Fails
    /// with ``OffsetConflict`` when the stored value is not `expected`: another instance (a zombie
    /// that lost the partition, or its successor) wrote in between, and this batch must not land.
    public func advance(from expected: [TopicPartition: Int64?], to next: [TopicPartition: Int64], in db: PostgresConnection) throws {
        for (tp, offset) in next.sorted(by: { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }) {
            let previous = expected[tp] ?? nil
            let result: PostgresResult
            if let previous {
                result = try db.execute("""
                    UPDATE platform.consumer_offsets SET next_offset = $4, updated_at = now()
                    WHERE consumer_group = $1 AND topic = $2 AND partition = $3 AND next_offset = $5
                    """, [.text(group), .text(tp.topic), .int(Int64(tp.partition)), .int(offset), .int(previous)])
            } else {
                result = try db.execute("""
                    INSERT INTO platform.consumer_offsets (consumer_group, topic, partition, next_offset)
                    VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING
                    """, [.text(group), .text(tp.topic), .int(Int64(tp.partition)), .int(offset)])
            }
            guard result.affectedRows == 1 else { throw OffsetConflict(partition: tp, expected: previous) }
        }
    }

    /// Removes the group's offsets (a replay from the earliest offset), inside the caller's transaction.
    /// Replaces the group's offsets with `offsets` (replay; the group must have no live member).
    public func replace(with offsets: [TopicPartition: Int64], in db: PostgresConnection) throws {
        try reset(in: db)
        for (tp, offset) in offsets.sorted(by: { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }) {
            try db.execute("INSERT INTO platform.consumer_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, $4)",
                           [.text(group), .text(tp.topic), .int(Int64(tp.partition)), .int(offset)])
        }
    }

    /// Every stored offset of the group.
    public func all(in db: PostgresConnection) throws -> [TopicPartition: Int64] {
        let result = try db.execute("SELECT topic, partition, next_offset FROM platform.consumer_offsets WHERE consumer_group = $1", [.text(group)])
        var offsets: [TopicPartition: Int64] = [:]
        for row in 0..<result.count {
            offsets[TopicPartition(topic: result.value(row, "topic")!, partition: Int32(result.int(row, "partition")!))] = result.int(row, "next_offset")!
        }
        return offsets
    }

    public func reset(in db: PostgresConnection) throws {
        try db.execute("DELETE FROM platform.consumer_offsets WHERE consumer_group = $1", [.text(group)])
    }

    /// A PostgreSQL array literal of text values, passed as one parameter.
    static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}

/// The stored offset moved under this instance: it no longer owns the partition's progress.
public struct OffsetConflict: Error, CustomStringConvertible {
    public let partition: TopicPartition
    public let expected: Int64?
    public var description: String {
        "stored offset of \(partition) is no longer \(expected.map(String.init) ?? "absent"): another instance advanced it"
    }
}
