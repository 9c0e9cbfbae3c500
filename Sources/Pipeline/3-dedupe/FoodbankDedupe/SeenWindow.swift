/// The event ids one input partition has passed, for a bounded time: what dedupe checks each
/// event against. Ids are kept in the order first seen, so the oldest leave first.
///
/// Bounded two ways: ids older than the window leave, and beyond `capacity` the oldest leave early.
/// About 56 bytes an id (the digest and its minute in a dictionary, and in the order queue).
public struct SeenWindow: Sendable {
    /// Minutes since 1970: small enough for 4 bytes until 10136.
    public typealias Minute = UInt32

    private var firstSeen: [EventDigest: Minute] = [:]
    private var order: [(digest: EventDigest, minute: Minute)] = []
    private var head = 0
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
    }

    public var count: Int { firstSeen.count }

    public func contains(_ digest: EventDigest) -> Bool { firstSeen[digest] != nil }

    /// Remembers a digest first seen at `minute`; the caller checked it was not seen yet.
    public mutating func insert(_ digest: EventDigest, at minute: Minute) {
        guard firstSeen.updateValue(minute, forKey: digest) == nil else { return }
        order.append((digest, minute))
    }

    /// Forgets a digest (a changelog tombstone read during restore).
    public mutating func remove(_ digest: EventDigest) {
        firstSeen[digest] = nil
    }

    /// Forgets ids first seen before `oldest`, and the oldest beyond capacity. Returns what it forgot,
    /// so the changelog can forget them too.
    public mutating func evict(before oldest: Minute) -> [EventDigest] {
        var evicted: [EventDigest] = []
        while head < order.count, order[head].minute < oldest || firstSeen.count > capacity {
            let entry = order[head]
            head += 1
            // Removed earlier by a tombstone, or re-inserted later: only the live entry counts.
            if firstSeen[entry.digest] == entry.minute {
                firstSeen[entry.digest] = nil
                evicted.append(entry.digest)
            }
        }
        // Drop the consumed prefix now and then, so the queue's memory follows the window.
        if head > 4096, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
        return evicted
    }
}
