/// What an inventory event says about its source row at its holder (the CDC table, or the feed file
/// that holds the row). The sinks keep per row and holder the version with the highest position and
/// count, per row, the live holder with the highest position (`../shared/DESIGN.md`, "Counting").
public enum VersionChange: String, Sendable, CaseIterable {
    /// This version of the row, readable: it counts if it is the row's latest.
    case assert
    /// The holder no longer holds the row (a delete, or a feed file's version superseded): it
    /// removes every version at or before its position.
    case retract
    /// The holder holds a version that cannot be read (dead-lettered with its reason): as the row's
    /// latest it counts nothing, so an earlier number never outlives its unreadable correction.
    case unreadable
}
