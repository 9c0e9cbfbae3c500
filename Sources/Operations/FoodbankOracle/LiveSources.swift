import FoodbankPostgres
import FoodbankSFTP

/// Reads a ``SourceSnapshot`` from a live deployment: every source table from its database (or a
/// read replica), and the feed files from the inbox itself, over SFTP, so that a file the watcher
/// never took in still counts. Earlier versions no longer in the inbox come from the manifest's
/// stored content. Delivery order is the manifest's `delivery` (when the platform first saw each version; a
/// poll reads a folder in name order); inbox files the manifest has never seen come after all of
/// it, in name order.
public enum LiveSources {
    public static func snapshot(sourceURL: (String) throws -> String, reporting: PostgresConnection,
                                inbox: SFTPClient, root: String? = nil) throws -> SourceSnapshot {
        SourceSnapshot(rows: try tables(sourceURL: sourceURL), deliveries: try deliveries(reporting: reporting, inbox: inbox, root: root))
    }

    /// Every source table's rows, each database read at one moment.
    public static func tables(sourceURL: (String) throws -> String) throws -> [SourceTable: [[String?]]] {
        var rows: [SourceTable: [[String?]]] = [:]
        for database in Set(SourceTable.all.map(\.database)).sorted() {
            let source = try PostgresConnection(url: try sourceURL(database))
            defer { source.close() }
            // One snapshot of each database: its tables as of one moment.
            try source.transaction { source in
                try source.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                // Timestamps as ISO text with numeric offsets, whatever the server's default.
                try source.execute("SET LOCAL DateStyle = ISO")
                for table in SourceTable.all where table.database == database {
                    rows[table] = try source.execute(table.selectStatement).rows
                }
            }
        }
        return rows
    }

    static func deliveries(reporting: PostgresConnection, inbox: SFTPClient, root: String?) throws -> [DeliveredFile] {
        let manifest = try reporting.execute("""
            SELECT feed, file_name, sha256, content, status FROM platform.file_manifest
            ORDER BY delivery
            """)
        var deliveries: [DeliveredFile] = []
        // Per file, the checksums of its newest version and of its newest complete one: inbox content
        // equal to either is a re-delivery.
        var known: [String: (newest: String, complete: String?)] = [:]
        for row in 0..<manifest.count {
            guard let feed = DeliveredFile.Feed(rawValue: manifest.value(row, "feed") ?? ""), let name = manifest.value(row, "file_name") else { continue }
            let file = DeliveredFile(feed: feed, name: name, content: manifest.bytes(row, "content"))
            let sha = manifest.value(row, "sha256") ?? ""
            let key = "\(feed.rawValue)/\(name)"
            known[key] = (sha, file.completeRows != nil ? sha : known[key]?.complete)
            deliveries.append(file)
        }
        for feed in DeliveredFile.Feed.allCases {
            let folder = (root.map { [$0] } ?? []) + [feed.definition.folder]
            for entry in try inbox.list(folder) where entry.refusal == nil && feed.fits(fileName: entry.name) {
                let content = try inbox.read(folder, entry.name)
                let sha = try reporting.execute("SELECT encode(sha256($1::bytea), 'hex')", [.bytes(content)]).scalar ?? ""
                let seen = known["\(feed.rawValue)/\(entry.name)"]
                if sha == seen?.newest || sha == seen?.complete { continue }
                deliveries.append(DeliveredFile(feed: feed, name: entry.name, content: content))
            }
        }
        return deliveries
    }
}
