/// Which edges a generated history may take. `everything` takes every edge the contract allows;
/// `settled` leaves out the ones the stages are known to get wrong (``KnownIssue``), so its
/// histories must match the oracle exactly.
public struct HistoryProfile: Sendable, Equatable {
    public var allowed: Set<KnownIssue>

    public static let everything = HistoryProfile(allowed: Set(KnownIssue.allCases))
    public static let settled = HistoryProfile(allowed: [])

    public func allows(_ issue: KnownIssue) -> Bool { allowed.contains(issue) }

    /// The settled edges plus the named ones (`KnownIssue` case names, comma-separated), to see what
    /// one known-wrong edge does on its own; nil when a name is not a case.
    public static func settled(plus names: String) -> HistoryProfile? {
        var allowed: Set<KnownIssue> = []
        for name in names.split(separator: ",") {
            guard let issue = KnownIssue.allCases.first(where: { "\($0)" == name }) else { return nil }
            allowed.insert(issue)
        }
        return HistoryProfile(allowed: allowed)
    }
}
