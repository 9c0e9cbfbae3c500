/// One curated table of the contract as the oracle computes it and as the reporting database holds
/// it: two queries returning the same columns (the key, then the values), every value as normalized
/// text (numbers without trailing zeros, instants in UTC), so that comparing them is comparing text.
/// Dated tables take the range of business days as `$1` and `$2`.
public struct CuratedTable: Sendable {
    public let name: String
    public let keyColumns: [String]
    public let valueColumns: [String]
    /// Over the oracle's scratch tables (``SourceTable``, the feeds' counted rows, `o_movements`).
    let oracleSQL: String
    /// Over the reporting database; finance tables at each day's latest `snapshot_version`.
    let reportingSQL: String
    /// Whether the table is per business day (and so compared over a range, with pending versions).
    public let dated: Bool
    /// A reported row the oracle lacks is right when these columns are zero (none: never): on-hand
    /// keeps a row for every position ever moved, and the sources no longer show what was deleted.
    let lingeringRowZeroColumns: [String]

    public static let all: [CuratedTable] = [
        OracleQueries.inventoryOnHand, OracleQueries.openFindings, OracleQueries.dailyInventory,
        OracleQueries.dailyDonations, OracleQueries.dailyFulfillment, OracleQueries.reconciliationExceptions,
    ]
}

/// A curated table's rows, by key.
public struct CuratedRows: Sendable, Equatable {
    public var rows: [[String]: [String?]]

    public init(rows: [[String]: [String?]] = [:]) { self.rows = rows }

    init(_ result: [[String?]], keyCount: Int) {
        rows = [:]
        for row in result { rows[row.prefix(keyCount).map { $0 ?? "" }] = Array(row.dropFirst(keyCount)) }
    }
}
