import FoodbankCanonical
import FoodbankJSON
import FoodbankPostgres
import Foundation

/// Applies a ``ReconcilePlan`` inside the sink's transaction: the item master, the ledger and the
/// balances it moves, and freshness. Every statement is parameterized and multi-row.
public enum ReconcileStore {
    /// Returns the balances the plan changed, as they stand inside the transaction.
    @discardableResult
    public static func apply(_ plan: ReconcilePlan, in db: PostgresConnection) throws -> [InventoryBalance] {
        // Tables no sink keeps rows of (wms.locations, agency.agencies) have no record type.
        let completions = plan.completedSnapshots.filter { $0.recordType != nil }.sorted { ($0.table, $0.position) < ($1.table, $1.position) }
        let written = Set(plan.versions.compactMap { SnapshotCompletion.table(of: $0.rowID) }).union(plan.items.isEmpty ? [] : ["warehouse:\(itemTable)"])
        try completionTable.lock(exclusive: Set(completions.map(\.table)), shared: written, db)
        let latest = try completionTable.record(completions.map { ($0.table, $0.position) }, db)
        let removals = try completions.filter { $0.object != itemTable }.flatMap { try LedgerStore.removals(after: $0, db) }
        let fold = try LedgerStore.fold(plan.versions.map { belowSnapshot($0, latest) }, removals: removals, db)
        var items = plan.items.mapValues { belowSnapshot($0, latest) }
        for completion in completions where completion.object == itemTable {
            for item in try removedItems(after: completion, db) where (items[item.sku]?.position ?? .min) < item.position { items[item.sku] = item }
        }
        try lockWeights(of: Set(items.keys).union(fold.touchedLegs.map(\.sku)), db)
        let reweighed = try applyItems(Array(items.values), db)
        let moved = try LedgerStore.write(fold, db)
        try recomputeWeights(of: reweighed, db)
        try applyFreshness(plan.freshness, db)
        return try balances(positions: moved, skus: reweighed, db)
    }

    static let itemTable = "wms.items"
    static let completionTable = SnapshotCompletionTable.reconcile

    /// A version older than its table's latest complete snapshot, read after it: the snapshot
    /// lacked its row, so it is that row's removal (decision 32).
    static func belowSnapshot(_ version: LedgerVersion, _ latest: [String: Int64]) -> LedgerVersion {
        guard let removal = SnapshotCompletion.removal(of: version.rowID, at: version.position, latest: latest) else { return version }
        return LedgerVersion(rowID: version.rowID, holder: version.holder, position: removal, change: .retract, leg: nil)
    }

    static func belowSnapshot(_ item: ItemVersion, _ latest: [String: Int64]) -> ItemVersion {
        guard let removal = SnapshotCompletion.removal(of: "warehouse:\(itemTable):\(item.sku)", at: item.position, latest: latest) else { return item }
        return ItemVersion(removedSku: item.sku, position: removal)
    }

    /// The items a complete snapshot of the item master lacks, as deletes (decision 32).
    static func removedItems(after completion: SnapshotCompletion, _ db: PostgresConnection) throws -> [ItemVersion] {
        let result = try db.execute("SELECT sku FROM ops.items WHERE NOT deleted AND source_position < $1 ORDER BY sku",
                                    [.int(completion.removalPosition)])
        return (0..<result.count).map { ItemVersion(removedSku: result.value($0, "sku")!, position: completion.removalPosition) }
    }

    /// Pounds are kept by difference at the item's current weight, so a movement must not be counted
    /// at a weight another instance is changing: whoever moves or reweighs a sku holds its lock.
    /// Every transaction takes its row locks (in ``LedgerStore/fold(_:_:)``) before any sku lock,
    /// each in one order, so two instances never wait on each other in a circle.
    static func lockWeights(of skus: Set<String>, _ db: PostgresConnection) throws {
        try db.lockAdvisory(keys: skus.sorted(), namespace: "sku")
    }

    /// The current rows of these positions and of every position of these skus.
    static func balances(positions: Set<[String]>, skus: [String], _ db: PostgresConnection) throws -> [InventoryBalance] {
        guard !positions.isEmpty || !skus.isEmpty else { return [] }
        let positionList = JSONValue.array(positions.sorted { $0.lexicographicallyPrecedes($1) }.map { .array($0.map(JSONValue.string)) })
        let result = try db.execute("""
            SELECT sku, location_id, lot_code, on_hand_cases::text AS cases, on_hand_lbs::text AS lbs,
                   to_char(last_movement_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_movement_at
            FROM ops.inventory_on_hand
            WHERE (sku, location_id, lot_code) IN (SELECT p->>0, p->>1, p->>2 FROM jsonb_array_elements($1::jsonb) p)
               OR sku IN (SELECT jsonb_array_elements_text($2::jsonb))
            ORDER BY sku, location_id, lot_code
            """, [.text(positionList.encodedString()), .jsonList(skus)])
        return (0..<result.count).map { row in
            InventoryBalance(sku: result.value(row, "sku")!, locationID: result.value(row, "location_id")!, lotCode: result.value(row, "lot_code")!,
                             onHandCases: Decimal(string: result.value(row, "cases")!) ?? 0, onHandLbs: Decimal(string: result.value(row, "lbs")!) ?? 0,
                             lastMovementAt: result.value(row, "last_movement_at"))
        }
    }

    /// Newer item versions replace older ones; returns the skus whose unit weight changed. A deleted
    /// or unknown item weighs 0, so a delete, and an item coming back, are changes of weight too.
    static func applyItems(_ items: [ItemVersion], _ db: PostgresConnection) throws -> [String] {
        guard !items.isEmpty else { return [] }
        let before = try weights(of: items.map(\.sku), db)
        try db.insertRows(into: "ops.items", columns: ["sku", "description", "category", "unit_weight_lbs", "perishable", "active", "deleted", "source_position"],
                          rows: items.map { item in
                              [.text(item.sku), .optional(item.description), .optional(item.category), .text("\(item.unitWeightLbs)"),
                               item.perishable.map(PostgresValue.bool) ?? .null, item.active.map(PostgresValue.bool) ?? .null, .bool(item.deleted),
                               .int(item.position)]
                          },
                          suffix: """
                              ON CONFLICT (sku) DO UPDATE SET description = EXCLUDED.description, category = EXCLUDED.category,
                                  unit_weight_lbs = EXCLUDED.unit_weight_lbs, perishable = EXCLUDED.perishable, active = EXCLUDED.active,
                                  deleted = EXCLUDED.deleted, source_position = EXCLUDED.source_position, updated_at = now()
                              WHERE ops.items.source_position <= EXCLUDED.source_position
                              """)
        let after = try weights(of: items.map(\.sku), db)
        return Set(before.keys).union(after.keys).filter { after[$0] != before[$0] }.sorted()
    }

    /// An item whose weight changed: every position of it gets its pounds again from the ledger
    /// (movements that arrived before their item counted 0 lbs for the derived part; a deleted item
    /// weighs 0). A position whose last legs left in this batch holds 0 lbs, not what removing them
    /// at the new weight left behind: every position of the sku is recomputed, with legs or not.
    static func recomputeWeights(of skus: [String], _ db: PostgresConnection) throws {
        guard !skus.isEmpty else { return }
        try db.execute("""
            UPDATE ops.inventory_on_hand h SET updated_at = now(), on_hand_lbs = coalesce((
                SELECT sum(coalesce(m.own_lbs, m.delta_cases * coalesce(i.unit_weight_lbs, 0)))
                FROM ops.inventory_movements m LEFT JOIN ops.items i ON i.sku = m.sku AND NOT i.deleted
                WHERE m.sku = h.sku AND m.location_id = h.location_id AND m.lot_code = h.lot_code), 0)
            WHERE h.sku IN (SELECT jsonb_array_elements_text($1::jsonb))
            """, [.jsonList(skus)])
        // Finalized days weighed these skus at the old weight, and each day opens at the previous
        // one's closing pounds: nightly re-finalizes from the earliest day a derived weight moved.
        try db.execute("""
            INSERT INTO ops.ledger_changed_dates (business_date)
            SELECT min(m.business_date) FROM ops.inventory_movements m
            WHERE m.sku IN (SELECT jsonb_array_elements_text($1::jsonb)) AND m.own_lbs IS NULL
            HAVING min(m.business_date) IS NOT NULL
            ON CONFLICT (business_date) DO UPDATE SET changed_at = clock_timestamp()
            """, [.jsonList(skus)])
    }

    static func applyFreshness(_ freshness: [String: Date], _ db: PostgresConnection) throws {
        try db.insertRows(into: "ops.pipeline_freshness", columns: ["source", "last_source_ts", "last_processed_at"],
                          rows: freshness.sorted { $0.key < $1.key }.map { [.text($0.key), .timestamp($0.value), .timestamp(Date())] },
                          suffix: """
                              ON CONFLICT (source) DO UPDATE SET last_source_ts = greatest(ops.pipeline_freshness.last_source_ts, EXCLUDED.last_source_ts),
                                  last_processed_at = EXCLUDED.last_processed_at
                              """)
    }

    /// The unit weight of each sku that has a live item; absent: it weighs 0.
    private static func weights(of skus: [String], _ db: PostgresConnection) throws -> [String: String] {
        let result = try db.execute("SELECT sku, unit_weight_lbs::text AS w FROM ops.items WHERE NOT deleted AND sku IN (SELECT jsonb_array_elements_text($1::jsonb))",
                                    [.jsonList(skus)])
        var weights: [String: String] = [:]
        for row in 0..<result.count { weights[result.value(row, "sku")!] = result.value(row, "w") }
        return weights
    }
}
