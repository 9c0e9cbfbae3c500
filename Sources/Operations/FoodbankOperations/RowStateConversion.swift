import FoodbankKafka
import FoodbankPostgres
import Foundation
import Logging

/// Converts a deployment whose derived tables were counted from the old records (event ids
/// without positions, the event-id ledger) to row-state counting (decision 37). The versions the
/// old ledger lost never reached the raw topics, and those keep 7 days only, so the state is
/// rebuilt from the sources themselves, from a point in time T on:
/// 1. every consumer group is checked to have no live member (nothing is changed otherwise);
/// 2. normalize and dedupe move to T (the end of their inputs): what they had not read yet is
///    older than the new snapshots and republications, which supersede it;
/// 3. reconcile, dq and nightly move to T with their derived tables emptied, so they count only
///    what is written after T (the finance tables are kept: they are append-only and versioned);
/// 4. each local cdc source is marked for a new snapshot (its slot is dropped and taken again when
///    cdc starts), and every live feed file version is given a new delivery, in the order of
///    the old ones, and marked `publishing`, so sftp-watcher publishes it again when it starts.
/// Then the fleet is started, and once it has caught up, a backfill of the finalized days records
/// a corrected finance version wherever the rebuilt numbers differ.
public enum RowStateConversion {
    public struct Outcome: Sendable {
        public var resetGroups: [String: Replay.Outcome]
        public var sourcesMarked: [String]
        public var fileVersionsRepublished: Int
    }

    /// Stages whose input is superseded by the new snapshots and republications: they skip it.
    static let skippingStages: Set<String> = ["normalize", "dedupe"]

    public static func run(_ groups: [FleetGroup], admin: KafkaAdmin, db: PostgresConnection, logger: Logger) throws -> Outcome {
        for group in groups { try Replay.refuseLiveMembers(group, admin: admin) }
        // First what is harmless alone: a new snapshot and a republication are newer versions, equal
        // in value, of what the sinks hold. A conversion refused or stopped after this point leaves
        // a deployment a restart counts right, and running the command again finishes it.
        let (sources, versions) = try db.transaction { db in (try markSourcesForSnapshot(db), try republishLiveFileVersions(db)) }
        var reset: [String: Replay.Outcome] = [:]
        for group in groups {
            // Each partition's end, not a time: a producer's clock ahead of this host's would put
            // records written before the stop after it.
            reset[group.group] = try Replay.run(group, from: .end, emptying: !skippingStages.contains(group.stage),
                                                admin: admin, db: db, logger: logger)
        }
        logger.info("converted to row-state counting", metadata: ["groups": "\(reset.count)", "sources": "\(sources)",
                                                                  "file_versions": "\(versions)"])
        return Outcome(resetGroups: reset, sourcesMarked: sources, fileVersionsRepublished: versions)
    }

    /// cdc drops a slot whose snapshot is not recorded as complete and takes it again.
    static func markSourcesForSnapshot(_ db: PostgresConnection) throws -> [String] {
        let marked = try db.execute("UPDATE platform.cdc_sources SET snapshot_completed_at = NULL RETURNING slot_name")
        return (0..<marked.count).compactMap { marked.value($0, "slot_name") }.sorted()
    }

    /// The live version of each file (its highest `published` or `publishing` one: a stop may have
    /// left a newer version `publishing` above a `published` one) gets a new delivery after every
    /// existing one, in the old order, and is marked `publishing`; a lower one is `superseded`, its
    /// rows never needing a retraction in sinks that start empty. A feed row held by two files keeps
    /// its latest holder, and the republished records are new deliveries (their event ids carry the
    /// delivery, so dedupe passes them).
    static func republishLiveFileVersions(_ db: PostgresConnection) throws -> Int {
        // A running sftp-watcher must not take a delivery inside the block, nor publish meanwhile.
        try db.execute("LOCK TABLE platform.file_manifest IN EXCLUSIVE MODE")
        try db.execute("""
            UPDATE platform.file_manifest f SET status = 'superseded'
            WHERE f.status IN ('published', 'publishing') AND EXISTS (
                SELECT 1 FROM platform.file_manifest h WHERE h.feed = f.feed AND h.file_name = f.file_name
                AND h.version > f.version AND h.status IN ('published', 'publishing'))
            """)
        let live = "status IN ('published', 'publishing')"
        let count = Int(try db.execute("SELECT count(*) FROM platform.file_manifest WHERE \(live)").scalar ?? "0") ?? 0
        guard count > 0 else { return 0 }
        let base = Int64(try db.execute("""
            SELECT setval('platform.file_delivery', nextval('platform.file_delivery') + $1 - 1) - $1 + 1
            """, [.int(Int64(count))]).scalar ?? "") ?? 0
        try db.execute("""
            UPDATE platform.file_manifest f SET delivery = $1 + o.n - 1, status = 'publishing'
            FROM (SELECT feed, file_name, version, row_number() OVER (ORDER BY delivery) AS n FROM platform.file_manifest WHERE \(live)) o
            WHERE o.feed = f.feed AND o.file_name = f.file_name AND o.version = f.version
            """, [.int(base)])
        return count
    }
}
