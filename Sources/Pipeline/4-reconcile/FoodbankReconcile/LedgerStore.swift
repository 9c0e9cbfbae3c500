import FoodbankCanonical
import FoodbankJSON
import FoodbankPostgres
import Foundation

/// The ledger in PostgreSQL: every holder's version of each source row (`ops.ledger_versions`), the
/// legs each row counts (`ops.inventory_movements`), the balances they move, and the business dates
/// they touched (`ops.ledger_changed_dates`, read by nightly). Runs inside the sink's transaction.
enum LedgerStore {
    /// The versions folded into the stored states of their rows, which stay locked until the
    /// transaction ends. Nothing is written yet: ``write(_:_:)`` does that.
    /// `removals` (a completed snapshot's) take no row locks: the transaction holds their table
    /// exclusively (``SnapshotCompletionTable/lock(exclusive:shared:_:)``), and a table's rows can
    /// be as many as the lock table has room for.
    static func fold(_ versions: [LedgerVersion], removals: [LedgerVersion] = [], _ db: PostgresConnection) throws -> LedgerFold.Result {
        guard !versions.isEmpty || !removals.isEmpty else { return LedgerFold.Result() }
        try lock(Set(versions.map(\.rowID)).sorted(), db)
        let all = versions + removals
        return LedgerFold.fold(all, stored: try states(Set(all.map(\.rowID)).sorted(), db))
    }

    /// The rows of a completed snapshot's table held at an older position, as retractions at its
    /// removal position (decision 32). A scan of the table's rows: re-snapshots are rare.
    static func removals(after completion: SnapshotCompletion, _ db: PostgresConnection) throws -> [LedgerVersion] {
        let result = try db.execute("""
            SELECT row_id, holder FROM ops.ledger_versions
            WHERE starts_with(row_id, $1) AND position < $2 AND (live OR legs <> '[]'::jsonb) ORDER BY row_id, holder
            """, [.text(completion.rowIDPrefix), .int(completion.removalPosition)])
        return (0..<result.count).map { row in
            LedgerVersion(rowID: result.value(row, "row_id")!, holder: result.value(row, "holder")!, position: completion.removalPosition,
                          change: .retract, leg: nil)
        }
    }

    /// Writes the folded states and moves the balances by what each row counts now minus what it
    /// counted before. Returns the positions whose balance may have changed.
    static func write(_ result: LedgerFold.Result, _ db: PostgresConnection) throws -> Set<[String]> {
        try write(result.states, db)
        guard !result.recounted.isEmpty else { return [] }
        try recount(result.recounted, db)
        return Set(result.touchedLegs.map(\.positionKey))
    }

    /// Rows are locked by id, in one order, so instances whose partitions share a row (its versions
    /// moved between keys) take turns instead of computing from the same stale state.
    private static func lock(_ rowIDs: [String], _ db: PostgresConnection) throws {
        try db.lockAdvisory(keys: rowIDs, namespace: "row")
    }

    private static func states(_ rowIDs: [String], _ db: PostgresConnection) throws -> [String: [String: HolderState]] {
        let result = try db.execute("""
            SELECT row_id, holder, position::text AS position, live, legs::text AS legs FROM ops.ledger_versions
            WHERE row_id IN (SELECT jsonb_array_elements_text($1::jsonb))
            """, [.jsonList(rowIDs)])
        var states: [String: [String: HolderState]] = [:]
        for row in 0..<result.count {
            guard let rowID = result.value(row, "row_id"), let holder = result.value(row, "holder"),
                  let position = result.value(row, "position").flatMap({ Int64($0) }) else { continue }
            let legs = (try? JSONValue.parse(Array((result.value(row, "legs") ?? "[]").utf8)))?.arrayValue ?? []
            states[rowID, default: [:]][holder] = HolderState(
                position: position, live: result.value(row, "live") == "t",
                legs: Dictionary(legs.compactMap(LedgerLeg.init(stored:)).map { ($0.leg, $0) }, uniquingKeysWith: { $1 }))
        }
        return states
    }

    private static func write(_ states: [String: [String: HolderState]], _ db: PostgresConnection) throws {
        let rows: [[PostgresValue]] = states.sorted { $0.key < $1.key }.flatMap { rowID, holders in
            holders.sorted { $0.key < $1.key }.map { holder, state in
                [.text(rowID), .text(holder), .int(state.position), .bool(state.live),
                 .text(JSONValue.array(state.legs.values.sorted { $0.leg < $1.leg }.map { $0.json() }).encodedString())]
            }
        }
        _ = try db.insertRows(into: "ops.ledger_versions", columns: ["row_id", "holder", "position", "live", "legs"], rows: rows, suffix: """
            ON CONFLICT (row_id, holder) DO UPDATE SET position = EXCLUDED.position, live = EXCLUDED.live, legs = EXCLUDED.legs,
                applied_at = clock_timestamp()
            """)
    }

    /// Replaces the counted legs of the recounted rows and moves their balances by the difference.
    private static func recount(_ recounted: [String: LedgerFold.Recount], _ db: PostgresConnection) throws {
        let rowIDs = recounted.keys.sorted()
        try db.execute("DELETE FROM ops.inventory_movements WHERE row_id IN (SELECT jsonb_array_elements_text($1::jsonb))", [.jsonList(rowIDs)])
        let counted = rowIDs.flatMap { rowID in recounted[rowID]!.after.map { (rowID, $0) } }
        _ = try db.insertRows(into: "ops.inventory_movements", columns: legColumns, rows: counted.map { rowID, leg in
            [.text(rowID), .text(leg.leg), .text(leg.eventID), .text(leg.sku), .text(leg.locationID), .text(leg.lotCode), .text(leg.movementType),
             .text("\(leg.deltaCases)"), leg.ownLbs.map { .text("\($0)") } ?? .null, .optional(leg.referenceType), .optional(leg.referenceID),
             .text(leg.occurredAt), .text(leg.businessDate), .text(leg.sourceSystem)]
        }, suffix: "")
        try moveBalances(rowIDs.flatMap { rowID -> [(LedgerLeg, removed: Bool)] in
            recounted[rowID]!.before.map { ($0, true) } + recounted[rowID]!.after.map { ($0, false) }
        }, db)
        let dates = Set(recounted.values.flatMap(\.legs).map(\.businessDate)).sorted()
        _ = try db.insertRows(into: "ops.ledger_changed_dates", columns: ["business_date"], rows: dates.map { [.text($0)] }, suffix: """
            ON CONFLICT (business_date) DO UPDATE SET changed_at = clock_timestamp()
            """)
    }

    private static let legColumns = ["row_id", "leg", "event_id", "sku", "location_id", "lot_code", "movement_type", "delta_cases", "own_lbs",
                                     "reference_type", "reference_id", "occurred_at", "business_date", "source_system"]

    /// A removed leg takes away what it added; where one was removed, the latest movement is read
    /// again from the counted legs. Positions are written in one order (instances never deadlock).
    private static func moveBalances(_ legs: [(LedgerLeg, removed: Bool)], _ db: PostgresConnection) throws {
        try db.executeChunked(rows: legs.map { leg, removed in
            [.text(leg.sku), .text(leg.locationID), .text(leg.lotCode), .text("\(removed ? -leg.deltaCases : leg.deltaCases)"),
             leg.ownLbs.map { .text("\(removed ? -$0 : $0)") } ?? .null, .text(leg.occurredAt), .bool(removed)]
        }, columns: 7) { values in
            """
            WITH moved (sku, location_id, lot_code, delta_cases, own_lbs, occurred_at, removed) AS (VALUES \(values))
            INSERT INTO ops.inventory_on_hand AS h (sku, location_id, lot_code, on_hand_cases, on_hand_lbs, last_movement_at, updated_at)
            SELECT m.sku, m.location_id, m.lot_code, sum(m.delta_cases::numeric),
                   sum(coalesce(m.own_lbs::numeric, m.delta_cases::numeric * coalesce(i.unit_weight_lbs, 0))),
                   max(m.occurred_at::timestamptz) FILTER (WHERE NOT m.removed::boolean), now()
            FROM moved m LEFT JOIN ops.items i ON i.sku = m.sku AND NOT i.deleted
            GROUP BY m.sku, m.location_id, m.lot_code
            ORDER BY m.sku, m.location_id, m.lot_code
            ON CONFLICT (sku, location_id, lot_code) DO UPDATE SET
                on_hand_cases = h.on_hand_cases + EXCLUDED.on_hand_cases,
                on_hand_lbs = h.on_hand_lbs + EXCLUDED.on_hand_lbs,
                last_movement_at = greatest(h.last_movement_at, EXCLUDED.last_movement_at),
                updated_at = now()
            """
        }
        let removed = Set(legs.filter(\.removed).map(\.0.positionKey)).sorted { $0.lexicographicallyPrecedes($1) }
        guard !removed.isEmpty else { return }
        try db.execute("""
            UPDATE ops.inventory_on_hand h SET last_movement_at = (
                SELECT max(m.occurred_at) FROM ops.inventory_movements m
                WHERE m.sku = h.sku AND m.location_id = h.location_id AND m.lot_code = h.lot_code)
            WHERE (h.sku, h.location_id, h.lot_code) IN (SELECT p->>0, p->>1, p->>2 FROM jsonb_array_elements($1::jsonb) p)
            """, [.text(JSONValue.array(removed.map { .array($0.map(JSONValue.string)) }).encodedString())])
    }
}
