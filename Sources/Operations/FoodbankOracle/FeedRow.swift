/// A feed row's identity across every file of its feed: feed 5 by (`site_code`, `movement_id`),
/// feed 6 by `adjustment_id`.
struct FeedRowIdentity: Hashable, Sendable {
    var feed: DeliveredFile.Feed
    var key: [String]

    init?(feed: DeliveredFile.Feed, row: [String: String]) {
        self.feed = feed
        key = feed == .legacyWMS ? [row["site_code"] ?? "", row["movement_id"] ?? ""] : [row["adjustment_id"] ?? ""]
        // A row without its id cannot be told from any other: it is unreadable, never counted.
        if key.contains(where: \.isEmpty) { return nil }
    }
}

/// Why a feed row's counted version cannot be read; the row then counts not at all.
public struct UnreadableFeedRow: Sendable, Equatable {
    public var feed: DeliveredFile.Feed
    public var file: String
    public var key: String
    public var reason: String
}
