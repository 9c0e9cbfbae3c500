/// What a poll decided for one file it looked at. Told as it is decided (the metrics count it even
/// when the poll fails later) and summed per poll (the log line): one list, so the two agree.
public enum FileOutcome: String, Sendable, CaseIterable {
    case published
    /// A new version of a file published before: its earlier rows retracted.
    case corrected
    /// Identical to the version published: nothing to do.
    case redelivered
    /// Incomplete (no trailer yet): looked at again next poll.
    case held
    /// Unreadable, misnamed or refused: a manifest row, a dead letter and a log line.
    case quarantined
    /// Seen again while still held or quarantined: not told again.
    case unchanged
}
