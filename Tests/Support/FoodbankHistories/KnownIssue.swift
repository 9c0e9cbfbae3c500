/// The edges of the contract that the stages get wrong today (issue 12), so that a history that
/// takes one may differ from the oracle for that reason. A history without any must match exactly.
public enum KnownIssue: String, Sendable, CaseIterable, Comparable {
    case twoInstances = "issue 12.9: two instances in a consumer group"

    public static func < (a: KnownIssue, b: KnownIssue) -> Bool { a.rawValue < b.rawValue }
}
