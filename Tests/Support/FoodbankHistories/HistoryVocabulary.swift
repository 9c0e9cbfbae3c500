/// The few names a generated history draws from: small pools, so that rows collide, keys repeat,
/// references dangle and balances go below zero.
public enum HistoryVocabulary {
    /// The item master at the start (sku, unit weight); `U1` is never in it.
    static let items: [(sku: String, weight: String)] = [("S1", "10.5"), ("S2", "2.25"), ("S3", "0"), ("S4", "33.333")]
    static let skus = ["S1", "S2", "S3", "S4", "U1"]
    static let locations = ["OAK-MAIN", "OAK-COLD", "HAY-SAT", "RICH"]
    /// Satellites sending feed-5 files: one with a hyphen in its code, as the contract's own example.
    static let sites = ["RICH", "HAY-SAT"]
    static let lots: [String?] = [nil, "L1", "L2"]
    /// Both daylight-saving change days of 2026 and their neighbours.
    static let days = ["2026-03-07", "2026-03-08", "2026-03-09", "2026-10-31", "2026-11-01", "2026-11-02"]
    /// Local times, with 01:30 (twice on 11-01) and 02:30 (never on 03-08).
    static let times = ["00:15", "01:30", "02:30", "09:00", "13:45", "23:30"]
    static let donationIDs = ["D1", "D2", "D3", "D4", "D5", "D6"]
    /// Donors; `DN9` is never in intake.donors.
    static let donors: [(id: String, type: String)] = [("DN1", "farm"), ("DN2", "grocery_rescue"), ("DN3", "individual")]
    static let donorIDs = ["DN1", "DN2", "DN3", "DN9"]
    static let orderIDs = ["O1", "O2", "O3", "O4", "O5"]
    /// Orders a shipment may name; `O9` never arrives.
    static let shippedOrderIDs = ["O1", "O2", "O3", "O4", "O5", "O9"]
    static let agencies = ["A1", "A2", "A3"]
    static let adjustmentReasons = ["SPOILAGE", "DAMAGE", "RECOUNT", "EXPIRED", "THEFT", "OTHER"]
    static let legacyTypes = ["RECEIPT", "TRANSFER_OUT", "TRANSFER_IN", "DISTRIBUTION", "SPOILAGE"]
    static let warehouseTypes = ["receipt", "transfer", "adjustment", "spoilage", "distribution"]
    /// Free text with the characters a CSV must quote.
    static let notes = ["", "recount, shelf 3", "said \"damaged\"", "line one\nline two", "café — ✓ 食品"]

    /// The two business-day ranges a history's days fall in (nightly and verify run over each).
    public static let dayRanges = [("2026-03-07", "2026-03-09"), ("2026-10-31", "2026-11-02")]
}
