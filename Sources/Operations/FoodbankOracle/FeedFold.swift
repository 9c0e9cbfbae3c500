/// The contract's identity rules for the feeds, as a fold over the delivered file versions in
/// delivery order:
/// - a file is live through its newest complete version (a held or broken newer one leaves it live);
/// - a row counts with its version in the latest-delivered live file that holds it (within a file,
///   the later line), and not at all once no live file holds it;
/// - that version counts only if it can be read.
public enum FeedFold {
    public struct Counted: Sendable, Equatable {
        /// Rows in the columns of the scratch tables `o_feed_movements` and `o_feed_adjustments`.
        public var movements: [[String?]] = []
        public var adjustments: [[String?]] = []
        public var unreadable: [UnreadableFeedRow] = []
    }

    public static func fold(_ deliveries: [DeliveredFile]) -> Counted {
        // The live version of each file: the newest complete one. Identical content is a re-delivery (no
        // effect): the live version keeps the delivery in which it was first seen.
        var live: [String: (order: Int, content: [UInt8]?, rows: [[String: String]])] = [:]
        for (order, file) in deliveries.enumerated() where file.feed.fits(fileName: file.name) {
            let path = "\(file.feed.rawValue)/\(file.name)"
            if let current = live[path], current.content == file.content { continue }
            if let rows = file.completeRows { live[path] = (order, file.content, rows) }
        }
        // Each row's version in the latest-delivered live file holding it.
        var winner: [FeedRowIdentity: (file: String, row: [String: String])] = [:]
        var unidentified: [UnreadableFeedRow] = []
        for (path, file) in live.sorted(by: { $0.value.order < $1.value.order }) {
            let feed = deliveries[file.order].feed
            for row in file.rows {
                guard let identity = FeedRowIdentity(feed: feed, row: row) else {
                    unidentified.append(UnreadableFeedRow(feed: feed, file: path, key: "", reason: "row without its id"))
                    continue
                }
                winner[identity] = (path, row)
            }
        }
        var counted = Counted(unreadable: unidentified)
        for (identity, version) in winner.sorted(by: { $0.key.key.lexicographicallyPrecedes($1.key.key) }) {
            let read = identity.feed == .legacyWMS ? FeedRowReading.movement(version.row) : FeedRowReading.adjustment(version.row)
            switch (read, identity.feed) {
            case (.success(let row), .legacyWMS): counted.movements.append(row)
            case (.success(let row), .adjustments): counted.adjustments.append(row)
            case (.failure(let unreadable), _):
                counted.unreadable.append(UnreadableFeedRow(feed: identity.feed, file: version.file, key: identity.key.joined(separator: "|"),
                                                            reason: unreadable.reason))
            }
        }
        return counted
    }
}
