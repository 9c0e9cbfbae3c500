import FoodbankJSON
import FoodbankKafka

/// The Kafka records of a file's rows: keyed by the row's business id, each carrying the file, its
/// version, checksum and delivery (the order in which the platform first saw the version), and the
/// row's line, so every row version has a stable identity and position however often the file is
/// delivered.
public enum FeedRecords {
    public enum Change: String, Sendable { case assert, retract }

    public static func records(feed: FeedDefinition, topic: String? = nil, file: String, version: Int, delivery: Int64, sha256: String,
                               rows: [[String: String]], change: Change) -> [KafkaRecord] {
        rows.enumerated().map { index, row in
            let key = feed.keyColumns.map { row[$0] ?? "" }.joined(separator: "|")
            let value = JSONValue.object([
                "feed": .string(feed.name),
                "file": .string(file),
                "file_version": .int(Int64(version)),
                "file_sha256": .string(sha256),
                "delivery": .int(delivery),
                "record": .int(Int64(index + 1)),
                "change": .string(change.rawValue),
                "row": .object(row.mapValues(JSONValue.string)),
            ])
            return KafkaRecord(topic: topic ?? feed.topic, key: Array(key.utf8), value: value.encoded())
        }
    }
}
