import FoodbankKafka

/// An idle consumer's read positions that may be stored as progress. A position can be past the
/// stored offset by transaction markers (and aborted records) that no batch contains; storing it
/// lets the group's lag return to zero. But right after a seek (a rewind, a hold, an assignment)
/// the position may still be where the last batch ended until the partition is fetched again, and
/// storing that would skip the records the seek meant to read again. So a position counts as
/// settled only when two idle probes in a row, with no batch, seek or rebalance between them, saw
/// it unchanged.
struct IdlePositions {
    private var seenAtLastProbe: [TopicPartition: Int64] = [:]

    /// A batch, a seek or a rebalance happened: what the last probe saw says nothing any more.
    mutating func forget() { seenAtLastProbe = [:] }

    /// Of the positions seen now (already past the stored progress), those the last probe saw too.
    mutating func settled(_ seen: [TopicPartition: Int64]) -> [TopicPartition: Int64] {
        defer { seenAtLastProbe = seen }
        return seen.filter { seenAtLastProbe[$0.key] == $0.value }
    }
}
