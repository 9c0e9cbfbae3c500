import FoodbankCanonical
import Foundation

/// Folds a batch of ledger versions into the stored row states: the states that changed, and per
/// row whose counted legs changed, the legs it counted before and counts now. Plain values: the
/// store reads the states, the fold decides, the store writes.
public enum LedgerFold {
    public struct Result: Equatable, Sendable {
        /// Holder states to write, by row id then holder.
        public var states: [String: [String: HolderState]] = [:]
        /// Rows whose counted legs changed.
        public var recounted: [String: Recount] = [:]

        /// Every leg a recounted row counted before or counts now: what the batch moves.
        public var touchedLegs: [LedgerLeg] { recounted.values.flatMap(\.legs) }
    }

    /// What a row counted before the batch, and what it counts now.
    public struct Recount: Equatable, Sendable {
        public var before: [LedgerLeg]
        public var after: [LedgerLeg]

        public var legs: [LedgerLeg] { before + after }
    }

    /// - Parameter stored: every holder's state of each row the batch names (absent: never seen).
    public static func fold(_ versions: [LedgerVersion], stored: [String: [String: HolderState]]) -> Result {
        var current = stored
        var result = Result()
        for version in versions {
            guard let next = HolderState.applying(version, to: current[version.rowID]?[version.holder]) else { continue }
            current[version.rowID, default: [:]][version.holder] = next
            result.states[version.rowID, default: [:]][version.holder] = next
        }
        for rowID in result.states.keys {
            let before = HolderState.counted(stored[rowID] ?? [:])
            let after = HolderState.counted(current[rowID] ?? [:])
            if before != after { result.recounted[rowID] = Recount(before: before, after: after) }
        }
        return result
    }
}
