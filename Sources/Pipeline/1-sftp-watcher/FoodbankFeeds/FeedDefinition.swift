/// The two CSV feeds of the contract: where their files are, what they are named, their columns,
/// and which columns make a row's business id (the record key).
public struct FeedDefinition: Sendable, Equatable {
    public var name: String
    /// Folder in the SFTP inbox.
    public var folder: String
    /// The feed's file names; any other name in its folder is quarantined.
    public var filePattern: String
    public var columns: [String]
    public var keyColumns: [String]
    public var topic: String

    public static let legacyWMS = FeedDefinition(
        name: "legacy_wms", folder: "legacy_wms", filePattern: #"^movements_[A-Za-z0-9-]+_[0-9]{12}\.csv$"#,
        columns: ["movement_id", "movement_type", "sku", "site_code", "lot", "cases", "lbs", "occurred_at", "reference"],
        keyColumns: ["site_code", "movement_id"], topic: "foodbank.files.legacy_wms")

    public static let adjustments = FeedDefinition(
        name: "adjustments", folder: "adjustments", filePattern: #"^adjustments_[0-9]{8}_[0-9]+\.csv$"#,
        columns: ["adjustment_id", "sku", "location_id", "lot_code", "delta_cases", "reason", "approved_by", "effective_date", "notes"],
        keyColumns: ["adjustment_id"], topic: "foodbank.files.adjustments")

    public static let all = [legacyWMS, adjustments]

    /// What a file in the folder must be called, for the reason a stray name is quarantined.
    public var nameRule: String {
        self == .legacyWMS ? "movements_<SITE>_<YYYYMMDDHHMM>.csv (SITE: letters, digits and hyphens)" : "adjustments_<YYYYMMDD>_<SEQ>.csv"
    }

    public func accepts(fileName: String) -> Bool {
        (try? Regex(filePattern).wholeMatch(in: fileName)) != nil
    }

    /// What a file in this feed's folder is: refused without reading (`refusal`, from its listing),
    /// misnamed, or what its content parses to.
    public func judge(fileName: String, content: [UInt8], refusal: String?) -> ParsedFeedFile {
        if let refusal { return .broken(reason: "refused without reading: \(refusal)") }
        guard accepts(fileName: fileName) else { return .broken(reason: "the file name fits no feed: \(folder)/ takes \(nameRule)") }
        return FeedParser.parse(content, feed: self)
    }
}
