import FoodbankFeeds

/// One version of a feed file as the platform received it, in delivery order: what the oracle folds.
public struct DeliveredFile: Sendable, Equatable {
    public enum Feed: String, Sendable, CaseIterable {
        case legacyWMS = "legacy_wms"
        case adjustments

        /// The feed's folder in the inbox and its columns, as the contract gives them.
        public var definition: FeedDefinition { self == .legacyWMS ? .legacyWMS : .adjustments }

        /// The contract's file names: `movements_<SITE>_<YYYYMMDDHHMM>.csv`, where `<SITE>` is a location
        /// id (letters, digits and hyphens), and `adjustments_<YYYYMMDD>_<SEQ>.csv`.
        public func fits(fileName: String) -> Bool {
            switch self {
            case .legacyWMS: return fileName.wholeMatch(of: #/movements_[A-Za-z0-9-]+_[0-9]{12}\.csv/#) != nil
            case .adjustments: return fileName.wholeMatch(of: #/adjustments_[0-9]{8}_[0-9]+\.csv/#) != nil
            }
        }
    }

    public var feed: Feed
    public var name: String
    /// The file's bytes; nil where nobody kept them (a version held back as incomplete is not stored).
    public var content: [UInt8]?

    public init(feed: Feed, name: String, content: [UInt8]?) {
        self.feed = feed
        self.name = name
        self.content = content
    }

    /// The file's data rows when it is complete (header, rows and a matching trailer); nil when it
    /// is held back or broken, and so never live.
    var completeRows: [[String: String]]? {
        content.flatMap { FeedFileReading.rows($0, columns: feed.definition.columns) }
    }
}
