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
        let reweighed = try applyItems(Array(plan.items.values), db)
        try applyMovements(plan.movements, db)
        try recomputeWeights(of: reweighed, db)
        try applyFreshness(plan.freshness, db)
        return try balances(positions: Set(plan.movements.map { [$0.sku, $0.locationID, $0.lotCode] }), skus: reweighed, db)
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
            """, [.text(positionList.encodedString()), .text(JSONValue.array(skus.map(JSONValue.string)).encodedString())])
        return (0..<result.count).map { row in
            InventoryBalance(sku: result.value(row, "sku")!, locationID: result.value(row, "location_id")!, lotCode: result.value(row, "lot_code")!,
                             onHandCases: Decimal(string: result.value(row, "cases")!) ?? 0, onHandLbs: Decimal(string: result.value(row, "lbs")!) ?? 0,
                             lastMovementAt: result.value(row, "last_movement_at"))
        }
    }

    /// Newer item versions replace older ones; returns the skus whose unit weight changed.
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
        return after.keys.filter { after[$0] != before[$0] }.sorted()
    }

    /// New ledger rows (an event id already applied is skipped) and, from exactly those, the balance increments.
    static func applyMovements(_ movements: [LedgerMovement], _ db: PostgresConnection) throws {
        // One row per event id per statement: the same id twice in a batch is one movement.
        var seen = Set<String>()
        let unique = movements.filter { seen.insert($0.eventID).inserted }
        let columns = ["event_id", "sku", "location_id", "lot_code", "movement_type", "retraction", "delta_cases", "own_lbs", "reference_type",
                       "reference_id", "occurred_at", "business_date", "source_system"]
        try db.executeChunked(rows: unique.map { m in
            [.text(m.eventID), .text(m.sku), .text(m.locationID), .text(m.lotCode), .text(m.movementType), .bool(m.retraction),
             .text("\(m.deltaCases)"), m.ownLbs.map { .text("\($0)") } ?? .null, .optional(m.referenceType), .optional(m.referenceID),
             .text(m.occurredAt), .text(m.businessDate), .text(m.sourceSystem)]
        }, columns: columns.count) { values in
            """
            WITH incoming (\(columns.joined(separator: ","))) AS (VALUES \(values)),
            applied AS (
                INSERT INTO ops.inventory_movements (\(columns.joined(separator: ",")))
                SELECT event_id, sku, location_id, lot_code, movement_type, retraction::boolean, delta_cases::numeric, own_lbs::numeric,
                       reference_type, reference_id, occurred_at::timestamptz, business_date::date, source_system
                FROM incoming
                ON CONFLICT (event_id) DO NOTHING
                RETURNING sku, location_id, lot_code, delta_cases, own_lbs, occurred_at)
            INSERT INTO ops.inventory_on_hand AS h (sku, location_id, lot_code, on_hand_cases, on_hand_lbs, last_movement_at, updated_at)
            SELECT a.sku, a.location_id, a.lot_code, sum(a.delta_cases),
                   sum(coalesce(a.own_lbs, a.delta_cases * coalesce(i.unit_weight_lbs, 0))), max(a.occurred_at), now()
            FROM applied a LEFT JOIN ops.items i ON i.sku = a.sku
            GROUP BY a.sku, a.location_id, a.lot_code
            ON CONFLICT (sku, location_id, lot_code) DO UPDATE SET
                on_hand_cases = h.on_hand_cases + EXCLUDED.on_hand_cases,
                on_hand_lbs = h.on_hand_lbs + EXCLUDED.on_hand_lbs,
                last_movement_at = greatest(h.last_movement_at, EXCLUDED.last_movement_at),
                updated_at = now()
            """
        }
    }

    /// An item whose weight changed: its positions' pounds again from the ledger (movements that
    /// arrived before their item counted 0 lbs for the derived part).
    static func recomputeWeights(of skus: [String], _ db: PostgresConnection) throws {
        guard !skus.isEmpty else { return }
        try db.execute("""
            UPDATE ops.inventory_on_hand h SET on_hand_lbs = s.lbs, updated_at = now()
            FROM (SELECT m.sku, m.location_id, m.lot_code, sum(coalesce(m.own_lbs, m.delta_cases * coalesce(i.unit_weight_lbs, 0))) AS lbs
                  FROM ops.inventory_movements m LEFT JOIN ops.items i ON i.sku = m.sku
                  WHERE m.sku IN (SELECT jsonb_array_elements_text($1::jsonb))
                  GROUP BY m.sku, m.location_id, m.lot_code) s
            WHERE h.sku = s.sku AND h.location_id = s.location_id AND h.lot_code = s.lot_code
            """, [.text(JSONValue.array(skus.map(JSONValue.string)).encodedString())])
    }

    static func applyFreshness(_ freshness: [String: Date], _ db: PostgresConnection) throws {
        try db.insertRows(into: "ops.pipeline_freshness", columns: ["source", "last_source_ts", "last_processed_at"],
                          rows: freshness.sorted { $0.key < $1.key }.map { [.text($0.key), .timestamp($0.value), .timestamp(Date())] },
                          suffix: """
                              ON CONFLICT (source) DO UPDATE SET last_source_ts = greatest(ops.pipeline_freshness.last_source_ts, EXCLUDED.last_source_ts),
                                  last_processed_at = EXCLUDED.last_processed_at
                              """)
    }

    private static func weights(of skus: [String], _ db: PostgresConnection) throws -> [String: String] {
        let result = try db.execute("SELECT sku, unit_weight_lbs::text AS w FROM ops.items WHERE sku IN (SELECT jsonb_array_elements_text($1::jsonb))",
                                    [.text(JSONValue.array(skus.map(JSONValue.string)).encodedString())])
        var weights: [String: String] = [:]
        for row in 0..<result.count { weights[result.value(row, "sku")!] = result.value(row, "w") }
        return weights
    }
}
