/// The edges of the contract that the stages get wrong today (issue 12), so that a history that
/// takes one may differ from the oracle for that reason. A history without any must match exactly.
public enum KnownIssue: String, Sendable, CaseIterable, Comparable {
    case twoChangesInOneTransaction = "issue 12.1: two changes to one row in one source transaction"
    case sameFeedRowInTwoFiles = "issue 12.2: the same movement or adjustment in two differently named files"
    case unreadableCorrection = "issue 12.3: a correction to an unreadable value keeps the old one"
    case itemDeleted = "issue 12.5: an item deleted from wms.items"
    case referenceWithoutWitness = "issue 12.7: a receipt or distribution whose donation or order has no witness"
    case keyChange = "issue 12.8: an update that moves a record to another key"
    case twoInstances = "issue 12.9: two instances in a consumer group"
    case largeValue = "issue 12: a value of 1,000,000 or more refused as absurd"
    case zeroAdjustment = "decision: an adjustment of zero cases is readable (normalize refuses it)"
    case correctedMovement = "issue 12: a corrected or deleted movement's last_movement_at"

    public static func < (a: KnownIssue, b: KnownIssue) -> Bool { a.rawValue < b.rawValue }
}
