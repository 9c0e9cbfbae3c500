import FoodbankCanonical

/// The version of a source row one holder has (`ops.ledger_versions`): its position, whether the
/// holder still holds the row, and the version's legs (none: held, but unreadable).
public struct HolderState: Equatable, Sendable {
    public var position: Int64
    public var live: Bool
    /// By leg name.
    public var legs: [String: LedgerLeg]

    public init(position: Int64, live: Bool, legs: [String: LedgerLeg]) {
        (self.position, self.live, self.legs) = (position, live, legs)
    }

    /// The state after `version`, or nil when it changes nothing:
    /// - a newer assertion (or unreadable version) replaces the stored one;
    /// - at an equal position an assertion adds its leg (a transfer's two legs may arrive in two batches);
    /// - a retraction removes every version at or before its position;
    /// - anything older changes nothing, so a replay or a late, older version is a no-op.
    public static func applying(_ version: LedgerVersion, to stored: HolderState?) -> HolderState? {
        let legs = version.leg.map { [$0.leg: $0] } ?? [:]
        switch version.change {
        case .retract:
            if let stored, stored.position > version.position || (!stored.live && stored.position == version.position) { return nil }
            return HolderState(position: version.position, live: false, legs: [:])
        case .assert, .unreadable:
            guard let stored, stored.position >= version.position else {
                return HolderState(position: version.position, live: true, legs: version.change == .assert ? legs : [:])
            }
            guard stored.position == version.position, stored.live, version.change == .assert, let leg = version.leg,
                  stored.legs[leg.leg] != leg else { return nil }
            var merged = stored
            merged.legs[leg.leg] = leg
            return merged
        }
    }

    /// The legs a row counts, given every holder's state: the live holder with the highest
    /// position (the latest-delivered live file; for CDC the table), none when it is unreadable.
    public static func counted(_ holders: [String: HolderState]) -> [LedgerLeg] {
        guard let latest = holders.values.filter(\.live).max(by: { $0.position < $1.position }) else { return [] }
        return latest.legs.values.sorted { $0.leg < $1.leg }
    }
}
