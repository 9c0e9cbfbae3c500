import FoodbankCanonical

/// What one inventory event says to the ledger: at `holder`, the source row `rowID` has, from
/// `position` on, this change, with this leg when it is an assertion.
public struct LedgerVersion: Equatable, Sendable {
    public var rowID: String
    public var holder: String
    public var position: Int64
    public var change: VersionChange
    /// Set for an assertion only.
    public var leg: LedgerLeg?

    public init(rowID: String, holder: String, position: Int64, change: VersionChange, leg: LedgerLeg?) {
        (self.rowID, self.holder, self.position, self.change, self.leg) = (rowID, holder, position, change, leg)
    }
}
