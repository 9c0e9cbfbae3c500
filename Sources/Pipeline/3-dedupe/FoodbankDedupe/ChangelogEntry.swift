import FoodbankJSON
import FoodbankKafka

/// A record of dedupe's changelog (`foodbank.state.dedupe_changelog`): "this id was passed by the
/// record at (topic, partition, offset), first seen at minute m". Key: the id's digest. A tombstone
/// (no value) says the id left the window, so compaction can drop it.
///
/// Why it names the input record: the local broker shows aborted records to read_committed readers,
/// so a changelog record alone does not prove its transaction committed. The group's committed offset
/// does: an entry whose input offset is below it was committed, by its own transaction or by the retry
/// that read the same record again (which passed the same id, or dropped it as already seen). Entries
/// at or beyond it are ignored on restore. On Apache Kafka, where aborted records are hidden, the
/// check changes nothing.
public struct ChangelogEntry: Equatable, Sendable {
    public var digest: EventDigest
    public var input: TopicPartition
    public var offset: Int64
    public var minute: SeenWindow.Minute

    public init(digest: EventDigest, input: TopicPartition, offset: Int64, minute: SeenWindow.Minute) {
        (self.digest, self.input, self.offset, self.minute) = (digest, input, offset, minute)
    }

    public func value() -> [UInt8] {
        JSONValue.object(["topic": .string(input.topic), "partition": .int(Int64(input.partition)), "offset": .int(offset),
                          "minute": .int(Int64(minute))]).encoded()
    }

    /// What a changelog record says: an entry, a tombstone (`.forget`), or nothing readable.
    public enum Decoded: Equatable {
        case entry(ChangelogEntry)
        case forget(EventDigest)
    }

    public static func decode(key: [UInt8]?, value: [UInt8]?) -> Decoded? {
        guard let key, let digest = EventDigest(hex: String(decoding: key, as: UTF8.self)) else { return nil }
        guard let value else { return .forget(digest) }
        guard let json = try? JSONValue.parse(value), let topic = json["topic"]?.stringValue, let partition = json["partition"]?.intValue,
              let offset = json["offset"]?.intValue, let minute = json["minute"]?.intValue,
              let minute32 = SeenWindow.Minute(exactly: minute), let partition32 = Int32(exactly: partition) else { return nil }
        return .entry(ChangelogEntry(digest: digest, input: TopicPartition(topic: topic, partition: partition32), offset: offset, minute: minute32))
    }
}
