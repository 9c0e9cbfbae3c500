/// A table of a source system that the oracle reads, with the columns the contract's rules use.
/// The oracle copies each into a temporary table of its own session (`scratchName`), so that every
/// rule is plain SQL over the sources as they stand, whatever database each lives in.
public struct SourceTable: Sendable, Hashable {
    public struct Column: Sendable, Hashable {
        public let name: String
        public let type: String
    }

    /// The source database (`warehouse`, `donations`, `agency`, `fulfillment`).
    public let database: String
    /// Schema-qualified name in the source database.
    public let name: String
    /// The temporary table the oracle's SQL reads.
    public let scratchName: String
    public let columns: [Column]

    init(_ database: String, _ name: String, _ scratchName: String, _ columns: [(String, String)]) {
        self.database = database
        self.name = name
        self.scratchName = scratchName
        self.columns = columns.map { Column(name: $0.0, type: $0.1) }
    }

    public static let items = SourceTable("warehouse", "wms.items", "o_items", [("sku", "text"), ("unit_weight_lbs", "numeric")])
    public static let inventoryTransactions = SourceTable("warehouse", "wms.inventory_transactions", "o_transactions", [
        ("txn_id", "bigint"), ("txn_type", "text"), ("sku", "text"), ("location_id", "text"), ("to_location_id", "text"),
        ("lot_code", "text"), ("quantity_cases", "numeric"), ("weight_lbs", "numeric"), ("reference_type", "text"),
        ("reference_id", "text"), ("occurred_at", "timestamptz"),
    ])
    public static let donors = SourceTable("donations", "intake.donors", "o_donors", [("donor_id", "text"), ("donor_type", "text")])
    public static let donations = SourceTable("donations", "intake.donations", "o_intakes", [
        ("intake_id", "bigint"), ("donation_id", "text"), ("donor_id", "text"), ("location_id", "text"),
        ("received_at", "timestamptz"), ("status", "text"),
    ])
    public static let donationLines = SourceTable("donations", "intake.donation_lines", "o_donation_lines", [
        ("intake_id", "bigint"), ("line_no", "integer"), ("sku", "text"), ("quantity_cases", "numeric"), ("weight_lbs", "numeric"),
        ("lot_code", "text"), ("fair_market_value_usd", "numeric"),
    ])
    public static let orders = SourceTable("agency", "agency.orders", "o_orders", [("order_id", "text"), ("agency_id", "text"), ("status", "text")])
    public static let orderLines = SourceTable("agency", "agency.order_lines", "o_order_lines", [
        ("order_id", "text"), ("line_no", "integer"), ("sku", "text"), ("quantity_cases_requested", "numeric"),
    ])
    public static let shipments = SourceTable("fulfillment", "pick.shipments", "o_shipments", [
        ("shipment_id", "text"), ("order_id", "text"), ("location_id", "text"), ("shipped_at", "timestamptz"), ("status", "text"),
    ])
    public static let shipmentLines = SourceTable("fulfillment", "pick.shipment_lines", "o_shipment_lines", [
        ("shipment_id", "text"), ("line_no", "integer"), ("order_line_no", "integer"), ("sku", "text"), ("lot_code", "text"),
        ("quantity_cases", "numeric"), ("weight_lbs", "numeric"),
    ])

    public static let all: [SourceTable] = [items, inventoryTransactions, donors, donations, donationLines, orders, orderLines, shipments, shipmentLines]

    /// The counted rows of the two feeds, written by ``FeedFold`` (not a source table: the feeds are files).
    static let feedMovements = SourceTable("", "feed 5", "o_feed_movements", [
        ("site_code", "text"), ("movement_id", "text"), ("movement_type", "text"), ("sku", "text"), ("lot", "text"),
        ("cases", "numeric"), ("lbs", "numeric"), ("occurred_local", "timestamp"), ("reference", "text"),
    ])
    static let feedAdjustments = SourceTable("", "feed 6", "o_feed_adjustments", [
        ("adjustment_id", "text"), ("sku", "text"), ("location_id", "text"), ("lot_code", "text"), ("delta_cases", "numeric"),
        ("reason", "text"), ("effective_date", "date"),
    ])

    /// Reads the table's rows in text form from its source database.
    var selectStatement: String {
        "SELECT " + columns.map { "\($0.name)::text" }.joined(separator: ", ") + " FROM \(name)"
    }

    var createScratchStatement: String {
        "CREATE TEMP TABLE \(scratchName) (" + columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ") + ") ON COMMIT PRESERVE ROWS"
    }
}
