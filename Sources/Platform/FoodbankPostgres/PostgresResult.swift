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

    /// A `bytea` value, from PostgreSQL's hex output (`\x0a1b...`); the inverse of `PostgresValue.bytes`.
    public func bytes(_ row: Int, _ column: String) -> [UInt8]? {
        guard let text = value(row, column), text.hasPrefix("\\x") else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        let digits = Array(text.utf8.dropFirst(2))
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[i]), let low = nibble(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    /// The single value of a one-row, one-column result.
    public var scalar: String? { rows.first?.first ?? nil }
}
