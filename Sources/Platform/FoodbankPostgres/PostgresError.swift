import CLibPQ

/// A failed PostgreSQL call: the server's SQLSTATE and message, and what the platform was doing.
/// Parameter values are never included (they may hold personal data or secrets).
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public let sqlState: String?
    public let message: String
    public let context: String
    /// The connection itself broke (server restart, network): reconnect and retry the unit of work.
    public let isConnectionFailure: Bool

    public init(sqlState: String?, message: String, context: String, isConnectionFailure: Bool) {
        self.sqlState = sqlState
        self.message = message
        self.context = context
        self.isConnectionFailure = isConnectionFailure
    }

    public var description: String {
        "PostgreSQL error\(sqlState.map { " \($0)" } ?? "") while \(context): \(message)"
    }

    /// Serialization failures and deadlocks: the transaction can simply be run again.
    public var isRetriableTransactionConflict: Bool { sqlState == "40001" || sqlState == "40P01" }

    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// SQLSTATE classes that mean the server or the link went away rather than the statement being wrong.
    static func isConnectionState(_ state: String?) -> Bool {
        guard let state else { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }
}
