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
/// A crash between the Kafka commit and the manifest write re-publishes the file on restart with
/// the same version and checksum, hence the same row identities, which dedupe removes.
public final class FeedWatcher: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var feeds: [FeedDefinition] = FeedDefinition.all
        /// A folder of the inbox holding the feed folders (tests use their own); nil: the inbox itself.
        public var root: String?
        /// Maps a declared topic name to the one written (tests append their run's suffix).
        public var topicName: @Sendable (String) -> String = { $0 }
        public var deadLetterTopic = "foodbank.dlq.sftp_watcher"

        public init() {}
    }

    public struct Summary: Sendable, Equatable {
        public var published = 0, rows = 0, retracted = 0, redelivered = 0, held = 0, quarantined = 0, unchanged = 0
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
        for feed in configuration.feeds {
            let folder = (configuration.root.map { [$0] } ?? []) + [feed.folder]
            // Every file is looked at: one whose name fits no feed is quarantined with that reason, never left alone.
            for entry in try sftp.list(folder) {
                let content = try sftp.read(folder, entry.name)
                try handle(feed: feed, file: entry.name, content: content, summary: &summary)
            }
        }
        return summary
    }

    private func handle(feed: FeedDefinition, file: String, content: [UInt8], summary: inout Summary) throws {
        let sha = try sha256(content)
        let parsed = feed.accepts(fileName: file)
            ? FeedParser.parse(content, feed: feed)
            : .broken(reason: "the file name fits no feed: \(feed.folder)/ takes \(feed.nameRule)")
        let (latest, latestPublished) = try manifest(feed: feed, file: file)
        let action = FileAction.decide(latest: latest, latestPublished: latestPublished, sha256: sha, parsed: parsed)
        let topic = configuration.topicName(feed.topic)
        switch action {
        case .alreadyPublished:
            summary.redelivered += 1
        case .unchanged:
            summary.unchanged += 1
        case .publish(let version, let retracting):
            guard case .complete(let rows) = parsed else { return }
            var retractions: [KafkaRecord] = []
            if let retracting, let old = try publishedContent(feed: feed, file: file, version: retracting),
               case .complete(let oldRows) = FeedParser.parse(old.content, feed: feed) {
                retractions = FeedRecords.records(feed: feed, topic: topic, file: file, version: retracting, sha256: old.sha256,
                                                  rows: oldRows, change: .retract)
            }
            let assertions = FeedRecords.records(feed: feed, topic: topic, file: file, version: version, sha256: sha, rows: rows, change: .assert)
            try producer.withTransaction { txn in
                for record in retractions + assertions { try txn.send(record) }
            }
            try db.transaction { db in
                if let retracting {
                    try db.execute("UPDATE platform.file_manifest SET status = 'superseded' WHERE feed = $1 AND file_name = $2 AND version = $3",
                                   [.text(feed.name), .text(file), .int(Int64(retracting))])
                }
                try record(feed: feed, file: file, version: version, sha: sha, content: content, status: .published, reason: nil, rows: rows.count)
            }
            summary.published += 1
            summary.rows += rows.count
            summary.retracted += retractions.count
            logger.info("file published", metadata: ["feed": "\(feed.name)", "file": "\(file)", "version": "\(version)",
                                                     "rows": "\(rows.count)", "retracted": "\(retractions.count)"])
        case .hold(let version, let reason):
            try record(feed: feed, file: file, version: version, sha: sha, content: nil, status: .heldIncomplete, reason: reason, rows: nil)
            summary.held += 1
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
            summary.quarantined += 1
            logger.warning("file quarantined", metadata: ["feed": "\(feed.name)", "file": "\(file)", "reason": "\(reason)"])
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

    private func publishedContent(feed: FeedDefinition, file: String, version: Int) throws -> (content: [UInt8], sha256: String)? {
        let result = try db.execute("""
            SELECT content, sha256 FROM platform.file_manifest WHERE feed = $1 AND file_name = $2 AND version = $3
            """, [.text(feed.name), .text(file), .int(Int64(version))])
        guard result.count == 1, let content = result.bytes(0, "content"), let sha = result.value(0, "sha256") else { return nil }
        return (content, sha)
    }

    private func record(feed: FeedDefinition, file: String, version: Int, sha: String, content: [UInt8]?, status: ManifestEntry.Status,
                        reason: String?, rows: Int?) throws {
        try db.execute("""
            INSERT INTO platform.file_manifest (feed, file_name, version, size_bytes, sha256, status, reason, row_count, published_at, content)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $6 = 'published' THEN now() END, $9::bytea)
            ON CONFLICT (feed, file_name, version) DO UPDATE SET last_seen_at = now()
            """, [.text(feed.name), .text(file), .int(Int64(version)), .int(Int64(content?.count ?? 0)), .text(sha), .text(status.rawValue),
                  .optional(reason), rows.map { .int(Int64($0)) } ?? .null, content.map { .bytes($0) } ?? .null])
    }

    /// SHA-256 computed by PostgreSQL, which the platform already depends on.
    private func sha256(_ content: [UInt8]) throws -> String {
        try db.execute("SELECT encode(sha256($1::bytea), 'hex')", [.bytes(content)]).scalar ?? ""
    }
}
