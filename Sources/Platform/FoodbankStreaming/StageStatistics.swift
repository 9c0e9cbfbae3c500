import Foundation

/// Counters a stage loop keeps; the metrics endpoint reads them. Thread-safe.
public final class StageStatistics: @unchecked Sendable {
    private let lock = NSLock()
    private var _processed = 0
    private var _deadLettered = 0
    private var _abortedBatches = 0
    private var _committedBatches = 0
    private var _lastCommitAt: Date?
    private var _firstCommitAt: Date?
    private var _written = 0

    public init() {}

    func committed(records: Int, written: Int = 0, deadLettered: Int) {
        lock.lock(); defer { lock.unlock() }
        _processed += records
        _written += written
        _deadLettered += deadLettered
        _committedBatches += 1
        _lastCommitAt = Date()
        if _firstCommitAt == nil { _firstCommitAt = _lastCommitAt }
    }

    func aborted() {
        lock.lock(); defer { lock.unlock() }
        _abortedBatches += 1
    }

    public var processed: Int { lock.lock(); defer { lock.unlock() }; return _processed }
    public var deadLettered: Int { lock.lock(); defer { lock.unlock() }; return _deadLettered }
    public var abortedBatches: Int { lock.lock(); defer { lock.unlock() }; return _abortedBatches }
    public var committedBatches: Int { lock.lock(); defer { lock.unlock() }; return _committedBatches }
    public var lastCommitAt: Date? { lock.lock(); defer { lock.unlock() }; return _lastCommitAt }
    /// When the stage first committed: throughput measured from it leaves the group join out.
    public var firstCommitAt: Date? { lock.lock(); defer { lock.unlock() }; return _firstCommitAt }
    /// Records written to output topics (dead letters not counted).
    public var written: Int { lock.lock(); defer { lock.unlock() }; return _written }
}
