import Testing

/// One kind of bad input the platform must refuse with a clear reason, losing nothing: where it
/// arrives, what it is, what happens to it, the reason it is refused with (a fragment of it, where
/// the reason quotes the input), and the real code that judges it.
struct BadInput: Sendable, CustomTestStringConvertible {
    enum Layer: String, Sendable, CaseIterable {
        case capture = "CDC capture (wal2json)"
        case changeEvent = "CDC change event"
        case feedFile = "feed file"
        case feedRow = "feed row"
        case canonical = "canonical record"
    }

    /// What becomes of the input, as an operator sees it.
    enum Outcome: String, Sendable {
        /// cdc stops before advancing its slot: the change stays in the slot, never skipped.
        case cdcStops = "cdc stops; the slot keeps the change"
        /// Dead-lettered on `foodbank.dlq.normalize`; an unreadable new version still removes the old one.
        case normalizeDeadLetter = "dead letter, foodbank.dlq.normalize"
        /// Quarantined: a manifest row, a dead letter on `foodbank.dlq.sftp_watcher`, a count.
        case quarantined = "quarantined, foodbank.dlq.sftp_watcher"
        /// Not published yet: a manifest row with the reason, the file looked at again every poll
        /// (a file still being written looks the same).
        case held = "held back, manifest held_incomplete"
        /// Dead-lettered by the sink that reads it; the rest of its batch is applied.
        case reconcileDeadLetter = "dead letter, foodbank.dlq.reconcile"
        case dqDeadLetter = "dead letter, foodbank.dlq.dq"
        case nightlyDeadLetter = "dead letter, foodbank.dlq.nightly"
    }

    let layer: Layer
    let kind: String
    let outcome: Outcome
    let reason: String
    /// The reason the code gave, or nil if it accepted the input.
    let judge: @Sendable () -> String?

    var testDescription: String { "\(layer.rawValue): \(kind)" }

    /// The README's table row for this kind.
    var tableRow: String { "| \(layer.rawValue) | \(kind) | \(outcome.rawValue) | `\(reason)` |" }
}
