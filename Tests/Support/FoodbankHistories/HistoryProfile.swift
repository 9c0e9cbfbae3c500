/// Which edges a generated history may take. `everything` takes every edge the contract allows;
/// `settled` leaves out the ones the stages are known to get wrong (``KnownIssue``), so its
/// histories must match the oracle exactly.
public struct HistoryProfile: Sendable, Equatable {
    public var allowed: Set<KnownIssue>

    public static let everything = HistoryProfile(allowed: Set(KnownIssue.allCases))
    public static let settled = HistoryProfile(allowed: [])

    public func allows(_ issue: KnownIssue) -> Bool { allowed.contains(issue) }
}
