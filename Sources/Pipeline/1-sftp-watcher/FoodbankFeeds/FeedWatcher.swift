import FoodbankKafka
import FoodbankPostgres
import FoodbankSFTP
import Foundation
import Logging

/// Polls the SFTP inbox for both feeds and publishes each complete file's rows in one Kafka
/// transaction; remembers every file version in `platform.file_manifest` so a re-delivered file
/// changes nothing and a changed one retracts its earlier rows. Incomplete files are held back,
/// broken ones quarantined with their reason; neither stops the feed.
///
/// A version is recorded (`publishing`, with its delivery) before its rows are published, and marked
/// `published` after the Kafka commit. A version left `publishing` by a crash is published again
/// first thing on the next poll, with the same version and delivery, hence the same row identities
/// and positions: dedupe and the sinks' positions make the second copy a no-op.
public final class FeedWatcher: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var feeds: [FeedDefinition] = FeedDefinition.all
        /// A folder of the inbox holding the feed folders (tests use their own); nil: the inbox itself.
        public var root: String?
        /// Maps a declared topic name to the one written (tests append their run's suffix).
        public var topicName: @Sendable (String) -> String = { $0 }
        public var deadLetterTopic = "foodbank.dlq.sftp_watcher"
        /// Told of each file's outcome as it is decided, so a poll that fails later still counts what
        /// it did (``FileOutcome``; never `unchanged`).
        public var fileOutcome: @Sendable (_ feed: String, _ outcome: FileOutcome) -> Void = { _, _ in }

        public init() {}
    }

    /// One poll's files by outcome, and the rows it published and retracted.
    public struct Summary: Sendable, Equatable {
        public var files: [FileOutcome: Int] = [:]
        public var rows = 0, retracted = 0

        public subscript(outcome: FileOutcome) -> Int { files[outcome] ?? 0 }
    }

    private let configuration: Configuration
    private let producer: KafkaTransactionalProducer
    private let db: PostgresConnection
    private let logger: Logger

    public init(configuration: Configuration, producer: KafkaTransactionalProducer, db: PostgresConnection, logger: Logger) {
        self.configuration = configuration
        self.producer = producer
        self.db = db
        self.logger = logger
    }

    public func poll(_ sftp: SFTPClient) throws -> Summary {
        var summary = Summary()
        try finishPublishing(summary: &summary)
        for feed in configuration.feeds {
            let folder = (configuration.root.map { [$0] } ?? []) + [feed.folder]
            // Every file is looked at: one whose name fits no feed is quarantined with that reason, never left alone.
            for entry in try sftp.list(folder) {
                // A link, a folder or a name that is not one plain path component is never opened.
                if let refusal = entry.refusal {
                    try handle(feed: feed, file: entry.name, content: [], refusal: refusal, summary: &summary)
                    continue
                }
                let content = try sftp.read(folder, entry.name)
                try handle(feed: feed, file: entry.name, content: content, summary: &summary)
            }
        }
        return summary
    }

    private func handle(feed: FeedDefinition, file: String, content: [UInt8], refusal: String? = nil, summary: inout Summary) throws {
        let sha = try sha256(content)
        let parsed = feed.judge(fileName: file, content: content, refusal: refusal)
        let (latest, latestPublished) = try manifest(feed: feed, file: file)
        let action = FileAction.decide(latest: latest, latestPublished: latestPublished, sha256: sha, parsed: parsed)
        let topic = configuration.topicName(feed.topic)
        switch action {
        case .alreadyPublished:
            decided(.redelivered, feed, &summary)
        case .unchanged:
            decided(.unchanged, feed, &summary)
        case .publish(let version, let retracting):
            guard case .complete(let rows) = parsed else { return }
            let delivery = try record(feed: feed, file: file, version: version, sha: sha, content: content, status: .publishing, reason: nil,
                                      rows: rows.count)
            try publish(Publication(feed: feed, file: file, version: version, delivery: delivery, sha256: sha, rows: rows, retracting: retracting),
                        summary: &summary)
        case .hold(let version, let reason):
            try record(feed: feed, file: file, version: version, sha: sha, content: nil, status: .heldIncomplete, reason: reason, rows: nil)
            decided(.held, feed, &summary)
            logger.info("file held back", metadata: ["feed": "\(feed.name)", "file": "\(file)", "reason": "\(reason)"])
        case .quarantine(let version, let reason):
            try producer.withTransaction { txn in
                try txn.send(KafkaRecord(topic: configuration.topicName(configuration.deadLetterTopic), key: Array("\(feed.name)/\(file)".utf8), value: nil, headers: [
                    KafkaHeader(name: "foodbank.dlq.reason", string: reason), KafkaHeader(name: "foodbank.dlq.stage", string: "sftp_watcher"),
                    KafkaHeader(name: "foodbank.dlq.source.file", string: "\(feed.folder)/\(file)"),
                    KafkaHeader(name: "foodbank.dlq.source.sha256", string: sha),
                ]))
            }
            try record(feed: feed, file: file, version: version, sha: sha, content: content, status: .quarantined, reason: reason, rows: nil)
            decided(.quarantined, feed, &summary)
            logger.warning("file quarantined", metadata: ["feed": "\(feed.name)", "file": "\(file)", "reason": "\(reason)"])
        }
    }

    private func decided(_ outcome: FileOutcome, _ feed: FeedDefinition, _ summary: inout Summary) {
        summary.files[outcome, default: 0] += 1
        if outcome != .unchanged { configuration.fileOutcome(feed.name, outcome) }
    }

    // MARK: publishing

    /// A file version to publish, and the earlier version of the file its rows replace.
    private struct Publication {
        var feed: FeedDefinition, file: String, version: Int, delivery: Int64, sha256: String, rows: [[String: String]], retracting: Int?
    }

    /// Retracts the earlier version's rows and asserts the new ones in one Kafka transaction, then
    /// marks the versions in the manifest.
    private func publish(_ publication: Publication, summary: inout Summary) throws {
        let (feed, file) = (publication.feed, publication.file)
        let topic = configuration.topicName(feed.topic)
        var retractions: [KafkaRecord] = []
        if let retracting = publication.retracting, let old = try storedVersion(feed: feed, file: file, version: retracting),
           case .complete(let oldRows) = FeedParser.parse(old.content, feed: feed) {
            retractions = FeedRecords.records(feed: feed, topic: topic, file: file, version: retracting, delivery: old.delivery, sha256: old.sha256,
                                              rows: oldRows, change: .retract)
        }
        let assertions = FeedRecords.records(feed: feed, topic: topic, file: file, version: publication.version, delivery: publication.delivery,
                                             sha256: publication.sha256, rows: publication.rows, change: .assert)
        try producer.withTransaction { txn in
            for record in retractions + assertions { try txn.send(record) }
        }
        try db.transaction { db in
            if let retracting = publication.retracting {
                try db.execute("UPDATE platform.file_manifest SET status = 'superseded' WHERE feed = $1 AND file_name = $2 AND version = $3",
                               [.text(feed.name), .text(file), .int(Int64(retracting))])
            }
            try db.execute("""
                UPDATE platform.file_manifest SET status = 'published', published_at = now() WHERE feed = $1 AND file_name = $2 AND version = $3
                """, [.text(feed.name), .text(file), .int(Int64(publication.version))])
        }
        decided(publication.retracting == nil ? .published : .corrected, feed, &summary)
        summary.rows += publication.rows.count
        summary.retracted += retractions.count
        logger.info("file published", metadata: ["feed": "\(feed.name)", "file": "\(file)", "version": "\(publication.version)",
                                                 "delivery": "\(publication.delivery)", "rows": "\(publication.rows.count)",
                                                 "retracted": "\(retractions.count)"])
    }

    /// Versions a crash left `publishing` (recorded, their Kafka transaction perhaps committed):
    /// published again as they were, before anything newer is looked at.
    private func finishPublishing(summary: inout Summary) throws {
        let names = Set(configuration.feeds.map(\.name))
        let pending = try db.execute("""
            SELECT p.feed, p.file_name, p.version,
                   (SELECT max(e.version) FROM platform.file_manifest e
                    WHERE e.feed = p.feed AND e.file_name = p.file_name AND e.version < p.version AND e.status = 'published') AS retracting
            FROM platform.file_manifest p WHERE p.status = 'publishing' ORDER BY p.delivery
            """)
        for row in 0..<pending.count {
            guard let feed = configuration.feeds.first(where: { $0.name == pending.value(row, "feed") }), names.contains(feed.name),
                  let file = pending.value(row, "file_name"), let version = pending.int(row, "version").map(Int.init),
                  let stored = try storedVersion(feed: feed, file: file, version: version),
                  case .complete(let rows) = FeedParser.parse(stored.content, feed: feed) else { continue }
            logger.warning("publishing again a file version a stop interrupted", metadata: ["feed": "\(feed.name)", "file": "\(file)",
                                                                                            "version": "\(version)"])
            try publish(Publication(feed: feed, file: file, version: version, delivery: stored.delivery, sha256: stored.sha256, rows: rows,
                                    retracting: pending.int(row, "retracting").map(Int.init)), summary: &summary)
        }
    }

    // MARK: manifest

    private func manifest(feed: FeedDefinition, file: String) throws -> (ManifestEntry?, ManifestEntry?) {
        let result = try db.execute("""
            SELECT version, sha256, status FROM platform.file_manifest WHERE feed = $1 AND file_name = $2 ORDER BY version DESC
            """, [.text(feed.name), .text(file)])
        let entries = (0..<result.count).compactMap { row -> ManifestEntry? in
            guard let version = result.int(row, "version"), let sha = result.value(row, "sha256"),
                  let status = ManifestEntry.Status(rawValue: result.value(row, "status") ?? "") else { return nil }
            return ManifestEntry(version: Int(version), sha256: sha, status: status)
        }
        return (entries.first, entries.first { $0.status == .published })
    }

    private func storedVersion(feed: FeedDefinition, file: String, version: Int) throws -> (content: [UInt8], sha256: String, delivery: Int64)? {
        let result = try db.execute("""
            SELECT content, sha256, delivery FROM platform.file_manifest WHERE feed = $1 AND file_name = $2 AND version = $3
            """, [.text(feed.name), .text(file), .int(Int64(version))])
        guard result.count == 1, let content = result.bytes(0, "content"), let sha = result.value(0, "sha256"),
              let delivery = result.int(0, "delivery") else { return nil }
        return (content, sha, delivery)
    }

    /// Records a version (once: seen again, only `last_seen_at` moves); returns its delivery.
    @discardableResult
    private func record(feed: FeedDefinition, file: String, version: Int, sha: String, content: [UInt8]?, status: ManifestEntry.Status,
                        reason: String?, rows: Int?) throws -> Int64 {
        let result = try db.execute("""
            INSERT INTO platform.file_manifest (feed, file_name, version, size_bytes, sha256, status, reason, row_count, content)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bytea)
            ON CONFLICT (feed, file_name, version) DO UPDATE SET last_seen_at = now()
            RETURNING delivery
            """, [.text(feed.name), .text(file), .int(Int64(version)), .int(Int64(content?.count ?? 0)), .text(sha), .text(status.rawValue),
                  .optional(reason), rows.map { .int(Int64($0)) } ?? .null, content.map { .bytes($0) } ?? .null])
        guard let delivery = result.int(0, "delivery") else { 
            throw PostgresError(sqlState: nil, message: "no delivery returned", context: "recording \(feed.name)/\(file)", isConnectionFailure: false)
         }
        return delivery
    }

    /// SHA-256 computed by PostgreSQL, which the platform already depends on.
    private func sha256(_ content: [UInt8]) throws -> String {
        try db.execute("SELECT encode(sha256($1::bytea), 'hex')", [.bytes(content)]).scalar ?? ""
    }
}
