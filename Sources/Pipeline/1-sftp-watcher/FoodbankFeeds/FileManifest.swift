/// One version of a delivered file as the manifest remembers it.
public struct ManifestEntry: Sendable, Equatable {
    /// `publishing`: recorded with its delivery, its Kafka transaction not known to have committed.
    public enum Status: String, Sendable { case heldIncomplete = "held_incomplete", publishing, published, quarantined, superseded }

    public var version: Int
    public var sha256: String
    public var status: Status

    public init(version: Int, sha256: String, status: Status) {
        self.version = version
        self.sha256 = sha256
        self.status = status
    }
}

/// What to do with a file seen in the inbox, decided from its content and the manifest alone.
public enum FileAction: Sendable, Equatable {
    /// Publish its rows as `version`; when `retracting` is set, first retract the rows of that
    /// earlier published version (a correction replaces the file's earlier rows).
    case publish(version: Int, retracting: Int?)
    /// The same content was already published: a re-delivery, no effect.
    case alreadyPublished
    /// The same content was already held or quarantined: nothing new to say.
    case unchanged
    case hold(version: Int, reason: String)
    case quarantine(version: Int, reason: String)

    /// - Parameters:
    ///   - latest: the newest manifest entry of this feed and file name, whatever its status.
    ///   - latestPublished: the newest entry whose rows are live (status `published`).
    public static func decide(latest: ManifestEntry?, latestPublished: ManifestEntry?, sha256: String, parsed: ParsedFeedFile) -> FileAction {
        if let latest, latest.sha256 == sha256 {
            return latest.status == .published ? .alreadyPublished : .unchanged
        }
        if let latestPublished, latestPublished.sha256 == sha256 { return .alreadyPublished }
        let version = (latest?.version ?? 0) + 1
        switch parsed {
        case .complete: return .publish(version: version, retracting: latestPublished?.version)
        case .incomplete(let reason): return .hold(version: version, reason: reason)
        case .broken(let reason): return .quarantine(version: version, reason: reason)
        }
    }
}
