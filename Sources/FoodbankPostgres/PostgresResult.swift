/// Rows returned by a statement, copied out of libpq (text format).
public struct PostgresResult: Sendable {
    public let columns: [String]
    public let rows: [[String?]]
    /// Rows inserted, updated or deleted, from the command tag.
    public let affectedRows: Int

    public var count: Int { rows.count }

    /// The value of `column` in row `row`; `nil` for SQL NULL.
    public func value(_ row: Int, _ column: String) -> String? {
        guard let index = columns.firstIndex(of: column) else {
            preconditionFailure("no column \(column) in result (\(columns))")
        }
        return rows[row][index]
    }

    public func int(_ row: Int, _ column: String) -> Int64? { value(row, column).flatMap { Int64($0) } }

    /// The single value of a one-row, one-column result.
    public var scalar: String? { rows.first?.first ?? nil }
}
