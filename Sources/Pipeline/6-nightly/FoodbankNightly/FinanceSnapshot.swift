import FoodbankPostgres
import Foundation

/// Finalizes one business day into the `finance` tables, in one transaction:
/// - `daily_inventory` from reconcile's ledger (`ops.inventory_movements`): per sku and location,
///   the day's movements by kind; the opening is the previous day's latest finalized closing (or,
///   when that day was never finalized, the ledger's sum before the day);
/// - `daily_donations` from the counted intake of each donation id (its newest non-voided intake);
/// - `daily_fulfillment` from the day's non-void shipments;
/// - `reconciliation_exceptions`: intake against receipts, shipments against distributions.
/// The result is fingerprinted; a day whose result equals its latest version's is left alone, and a
/// different one becomes the next `snapshot_version` (finance tables are append-only).
public enum FinanceSnapshot {
    public enum Outcome: Equatable, Sendable {
        case unchanged(version: Int)
        case finalized(version: Int)
    }

    /// The advisory lock that serializes finalization (two nightly instances never race on versions).
    static let lockKey: Int64 = 0x6E69_6768_746C_79

    public static func finalize(_ date: String, reason: String, in db: PostgresConnection) throws -> Outcome {
        try db.transaction { db in
            try db.execute("SELECT pg_advisory_xact_lock($1)", [.int(lockKey)])
            // Several days may be finalized in one transaction (a nightly round): each starts afresh.
            try db.execute("DROP TABLE IF EXISTS day_inventory, day_counted, day_intake_lines, day_donations, day_shipments, day_fulfillment, day_exceptions")
            // A parameter a statement does not use has no type PostgreSQL could infer: pass it only where used.
            for statement in computeStatements { try db.execute(statement, statement.contains("$1") ? [.text(date)] : []) }
            let fingerprint = try db.execute("""
                SELECT md5(
                    (SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM day_inventory t) || '#' ||
                    (SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM day_donations t) || '#' ||
                    (SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM day_fulfillment t) || '#' ||
                    (SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM day_exceptions t))
                """).scalar ?? ""
            let latest = try db.execute("""
                SELECT snapshot_version, input_fingerprint FROM finance.snapshot_versions WHERE business_date = $1::date
                ORDER BY snapshot_version DESC LIMIT 1
                """, [.text(date)])
            let version = latest.count > 0 ? Int(latest.value(0, "snapshot_version")!)! : 0
            if version > 0, latest.value(0, "input_fingerprint") == fingerprint { return .unchanged(version: version) }
            let next = version + 1
            try db.execute("INSERT INTO finance.snapshot_versions (business_date, snapshot_version, reason, input_fingerprint) VALUES ($1::date, $2, $3, $4)",
                           [.text(date), .int(Int64(next)), .text(reason), .text(fingerprint)])
            for statement in insertStatements { try db.execute(statement, [.text(date), .int(Int64(next))]) }
            return .finalized(version: next)
        }
    }

    /// The finalized dates, oldest first.
    public static func finalizedDates(in db: PostgresConnection) throws -> [String] {
        let result = try db.execute("SELECT DISTINCT business_date::text AS d FROM finance.snapshot_versions ORDER BY 1")
        return (0..<result.count).map { result.value($0, "d")! }
    }

    /// Finalized dates whose inputs changed since `since`: ledger rows applied, or nightly records
    /// recorded, that belong to them (a line belongs to its header's date).
    public static func datesChanged(since: Date, in db: PostgresConnection) throws -> [String] {
        let result = try db.execute("""
            WITH changed AS (
                SELECT business_date FROM ops.ledger_changed_dates WHERE changed_at > $1
                UNION SELECT business_date FROM nightly.records WHERE recorded_at > $1 AND business_date IS NOT NULL
                UNION SELECT h.business_date FROM nightly.records l
                      JOIN nightly.records h ON h.record_type = 'intake' AND h.fields->>'intake_id' = l.fields->>'intake_id'
                      WHERE l.record_type = 'donation_line' AND l.recorded_at > $1
                UNION SELECT h.business_date FROM nightly.records l
                      JOIN nightly.records h ON h.record_type = 'shipment' AND h.fields->>'shipment_id' = l.fields->>'shipment_id'
                      WHERE l.record_type = 'shipment_line' AND l.recorded_at > $1
                UNION SELECT s.business_date FROM nightly.records o
                      JOIN nightly.records s ON s.record_type = 'shipment' AND s.fields->>'order_id' = o.fields->>'order_id'
                      WHERE o.record_type IN ('order', 'order_line') AND o.recorded_at > $1
                -- A witness arriving (or going) moves a reconciliation row from the day of the earliest
                -- movement referencing it; a referencing movement arriving may make another the earliest.
                UNION SELECT m.business_date FROM nightly.records w
                      JOIN ops.inventory_movements m ON m.reference_id = w.fields->>(CASE w.record_type WHEN 'intake' THEN 'donation_id' ELSE 'order_id' END)
                      WHERE w.record_type IN ('intake', 'shipment') AND w.recorded_at > $1
                UNION SELECT o.business_date FROM ops.inventory_movements m
                      JOIN ops.inventory_movements o ON o.reference_id = m.reference_id AND o.reference_type = m.reference_type
                      WHERE m.applied_at > $1 AND m.reference_id IS NOT NULL
                -- The days of the versions nightly replaced (their old date and old key's days).
                UNION SELECT business_date FROM nightly.changed_dates WHERE changed_at > $1
                -- An intake or shipment changing changes which of its key's others counts, and where
                -- (a voided duplicate makes an earlier intake the counted one).
                UNION SELECT o.business_date FROM nightly.records w
                      JOIN nightly.records o ON o.record_type = 'intake' AND o.fields->>'donation_id' = w.fields->>'donation_id'
                      WHERE w.record_type = 'intake' AND w.recorded_at > $1
                UNION SELECT o.business_date FROM nightly.records w
                      JOIN nightly.records o ON o.record_type IN ('order_line', 'shipment', 'order') AND o.fields->>'order_id' = w.fields->>'order_id'
                      WHERE w.record_type = 'shipment' AND w.recorded_at > $1
                -- A donor's type is its intakes' donor_type.
                UNION SELECT i.business_date FROM nightly.records d
                      JOIN nightly.records i ON i.record_type = 'intake' AND i.fields->>'donor_id' = d.source_id
                      WHERE d.record_type = 'donor' AND d.recorded_at > $1)
            SELECT DISTINCT c.business_date::text AS d FROM changed c
            WHERE c.business_date IN (SELECT business_date FROM finance.snapshot_versions) ORDER BY 1
            """, [.timestamp(since)])
        return (0..<result.count).map { result.value($0, "d")! }
    }

    // MARK: the day's results, into temporary tables ($1: the date)

    static let computeStatements = [
        """
        CREATE TEMP TABLE day_inventory ON COMMIT DROP AS
        WITH previous AS (
            SELECT max(snapshot_version) AS v FROM finance.snapshot_versions WHERE business_date = $1::date - 1),
        opening AS (
            SELECT d.sku, d.location_id, d.closing_cases AS cases, d.closing_lbs AS lbs FROM finance.daily_inventory d, previous p
            WHERE p.v IS NOT NULL AND d.business_date = $1::date - 1 AND d.snapshot_version = p.v
            UNION ALL
            SELECT m.sku, m.location_id, sum(m.delta_cases), sum(coalesce(m.own_lbs, m.delta_cases * coalesce(i.unit_weight_lbs, 0)))
            FROM ops.inventory_movements m LEFT JOIN ops.items i ON i.sku = m.sku AND NOT i.deleted, previous p
            WHERE p.v IS NULL AND m.business_date < $1::date
            GROUP BY m.sku, m.location_id),
        day AS (
            SELECT m.sku, m.location_id,
                   coalesce(sum(m.delta_cases) FILTER (WHERE m.movement_type = 'receipt'), 0) AS receipts,
                   coalesce(sum(m.delta_cases) FILTER (WHERE m.movement_type = 'transfer_in'), 0) AS transfers_in,
                   coalesce(-sum(m.delta_cases) FILTER (WHERE m.movement_type = 'transfer_out'), 0) AS transfers_out,
                   coalesce(sum(m.delta_cases) FILTER (WHERE m.movement_type = 'adjustment'), 0) AS adjustments,
                   coalesce(-sum(m.delta_cases) FILTER (WHERE m.movement_type = 'spoilage'), 0) AS spoilage,
                   coalesce(-sum(m.delta_cases) FILTER (WHERE m.movement_type = 'distribution'), 0) AS distributions,
                   sum(coalesce(m.own_lbs, m.delta_cases * coalesce(i.unit_weight_lbs, 0))) AS lbs
            FROM ops.inventory_movements m LEFT JOIN ops.items i ON i.sku = m.sku AND NOT i.deleted
            WHERE m.business_date = $1::date
            GROUP BY m.sku, m.location_id)
        SELECT coalesce(d.sku, o.sku) AS sku, coalesce(d.location_id, o.location_id) AS location_id,
               coalesce(o.cases, 0)::numeric(14,2) AS opening, coalesce(d.receipts, 0) AS receipts, coalesce(d.transfers_in, 0) AS transfers_in,
               coalesce(d.transfers_out, 0) AS transfers_out, coalesce(d.adjustments, 0) AS adjustments, coalesce(d.spoilage, 0) AS spoilage,
               coalesce(d.distributions, 0) AS distributions,
               (coalesce(o.cases, 0) + coalesce(d.receipts, 0) + coalesce(d.transfers_in, 0) - coalesce(d.transfers_out, 0)
                + coalesce(d.adjustments, 0) - coalesce(d.spoilage, 0) - coalesce(d.distributions, 0))::numeric(14,2) AS closing,
               -- A position that closed at 0 cases has no row that day (decision 13), but it may still
               -- hold pounds (cases and weights netted differently): those come from the ledger.
               (CASE WHEN o.sku IS NOT NULL THEN o.lbs ELSE coalesce((
                    SELECT sum(coalesce(m.own_lbs, m.delta_cases * coalesce(i.unit_weight_lbs, 0)))
                    FROM ops.inventory_movements m LEFT JOIN ops.items i ON i.sku = m.sku AND NOT i.deleted
                    WHERE m.sku = d.sku AND m.location_id = d.location_id AND m.business_date < $1::date), 0) END
                + coalesce(d.lbs, 0))::numeric(18,5) AS closing_lbs
        FROM day d FULL JOIN opening o ON o.sku = d.sku AND o.location_id = d.location_id
        WHERE d.sku IS NOT NULL OR o.cases <> 0
        """,
        // The counted intake of each donation id with an intake dated the day: its newest non-voided one.
        """
        CREATE TEMP TABLE day_counted ON COMMIT DROP AS
        SELECT * FROM (
            SELECT DISTINCT ON (r.fields->>'donation_id') r.fields->>'donation_id' AS donation_id, r.fields->>'intake_id' AS intake_id,
                   r.fields->>'location_id' AS location_id, r.fields->>'donor_id' AS donor_id, r.business_date
            FROM nightly.records r
            WHERE r.record_type = 'intake' AND r.live AND r.fields->>'status' <> 'voided'
              AND r.fields->>'donation_id' IN (SELECT fields->>'donation_id' FROM nightly.records WHERE record_type = 'intake' AND business_date = $1::date)
            ORDER BY r.fields->>'donation_id', (r.fields->>'intake_id')::bigint DESC) c
        WHERE c.business_date = $1::date
        """,
        """
        CREATE TEMP TABLE day_intake_lines ON COMMIT DROP AS
        SELECT l.fields->>'intake_id' AS intake_id, sum((l.fields->>'quantity_cases')::numeric) AS cases,
               sum(coalesce((l.fields->>'weight_lbs')::numeric, 0)) AS lbs, sum(coalesce((l.fields->>'fair_market_value_usd')::numeric, 0)) AS fmv
        FROM nightly.records l
        WHERE l.record_type = 'donation_line' AND l.live AND l.fields->>'intake_id' IN (SELECT intake_id FROM day_counted)
        GROUP BY 1
        """,
        """
        CREATE TEMP TABLE day_donations ON COMMIT DROP AS
        SELECT c.location_id, coalesce(d.fields->>'donor_type', 'unknown') AS donor_type, count(DISTINCT c.donation_id)::int AS donations,
               coalesce(sum(l.cases), 0)::numeric(14,2) AS cases, coalesce(sum(l.lbs), 0)::numeric(16,3) AS lbs,
               coalesce(sum(l.fmv), 0)::numeric(14,2) AS fmv
        FROM day_counted c
        LEFT JOIN nightly.records d ON d.record_type = 'donor' AND d.source_id = c.donor_id AND d.live
        LEFT JOIN day_intake_lines l ON l.intake_id = c.intake_id
        GROUP BY 1, 2
        """,
        """
        CREATE TEMP TABLE day_shipments ON COMMIT DROP AS
        SELECT s.fields->>'shipment_id' AS shipment_id, s.fields->>'order_id' AS order_id, s.fields->>'location_id' AS location_id
        FROM nightly.records s
        WHERE s.record_type = 'shipment' AND s.live AND s.fields->>'status' <> 'void' AND s.fields->>'shipped_at' IS NOT NULL
          AND s.business_date = $1::date
        """,
        """
        CREATE TEMP TABLE day_fulfillment ON COMMIT DROP AS
        WITH orders AS (
            SELECT DISTINCT o.order_id, coalesce(h.fields->>'agency_id', 'unknown') AS agency_id
            FROM day_shipments o LEFT JOIN nightly.records h ON h.record_type = 'order' AND h.fields->>'order_id' = o.order_id AND h.live),
        requested AS (
            SELECT o.agency_id, sum((l.fields->>'quantity_cases_requested')::numeric) AS cases
            FROM orders o JOIN nightly.records l ON l.record_type = 'order_line' AND l.fields->>'order_id' = o.order_id AND l.live
            GROUP BY 1),
        shipped AS (
            SELECT o.agency_id, sum((l.fields->>'quantity_cases')::numeric) AS cases
            FROM day_shipments s JOIN (SELECT DISTINCT order_id, agency_id FROM orders) o ON o.order_id = s.order_id
            JOIN nightly.records l ON l.record_type = 'shipment_line' AND l.fields->>'shipment_id' = s.shipment_id AND l.live
            GROUP BY 1)
        SELECT a.agency_id, a.orders, coalesce(r.cases, 0)::numeric(14,2) AS cases_requested, coalesce(s.cases, 0)::numeric(14,2) AS cases_shipped,
               CASE WHEN coalesce(r.cases, 0) = 0 THEN NULL ELSE round(coalesce(s.cases, 0) / r.cases, 4) END AS fill_rate
        FROM (SELECT agency_id, count(DISTINCT order_id)::int AS orders FROM orders GROUP BY 1) a
        LEFT JOIN requested r ON r.agency_id = a.agency_id LEFT JOIN shipped s ON s.agency_id = a.agency_id
        """,
        """
        CREATE TEMP TABLE day_exceptions ON COMMIT DROP AS
        WITH donation_side AS (
            SELECT 'donation_vs_receipt'::text AS kind, c.location_id, c.donation_id AS reference_id, coalesce(l.cases, 0) AS expected,
                   coalesce((SELECT sum(m.delta_cases) FROM ops.inventory_movements m
                             WHERE m.reference_id = c.donation_id AND m.reference_type = 'donation' AND m.movement_type = 'receipt'), 0) AS actual
            FROM day_counted c LEFT JOIN day_intake_lines l ON l.intake_id = c.intake_id),
        order_shipments AS (
            SELECT s.fields->>'order_id' AS order_id, s.fields->>'shipment_id' AS shipment_id, s.fields->>'location_id' AS location_id, s.business_date,
                   s.fields->>'shipped_at' AS shipped_at
            FROM nightly.records s
            -- Shipped: a shipped_at and not void (a picked shipment witnesses nothing yet).
            WHERE s.record_type = 'shipment' AND s.live AND s.fields->>'status' <> 'void' AND s.fields->>'shipped_at' IS NOT NULL
              AND s.fields->>'order_id' IN (SELECT order_id FROM day_shipments)),
        latest AS (
            SELECT DISTINCT ON (order_id) order_id, location_id, business_date FROM order_shipments
            -- Two shipments of an order shipped at one instant: the highest shipment id is the latest.
            ORDER BY order_id, shipped_at DESC, shipment_id COLLATE "C" DESC),
        shipment_side AS (
            SELECT 'shipment_vs_distribution'::text AS kind, t.location_id, t.order_id AS reference_id,
                   coalesce((SELECT sum((l.fields->>'quantity_cases')::numeric) FROM nightly.records l
                             WHERE l.record_type = 'shipment_line' AND l.live
                               AND l.fields->>'shipment_id' IN (SELECT shipment_id FROM order_shipments o WHERE o.order_id = t.order_id)), 0) AS expected,
                   coalesce((SELECT -sum(m.delta_cases) FROM ops.inventory_movements m
                             WHERE m.reference_id = t.order_id AND m.reference_type = 'agency_order' AND m.movement_type = 'distribution'), 0) AS actual
            FROM latest t WHERE t.business_date = $1::date),
        -- Without a witness (no counted intake; no shipped shipment): expected 0, dated and located by
        -- the earliest referencing movement (business time, then source system, then source key;
        -- a warehouse txn_id as a number). Only references with a movement on the day can be one.
        unwitnessed AS (
            SELECT DISTINCT m.reference_type, m.reference_id FROM ops.inventory_movements m
            WHERE m.business_date = $1::date AND m.reference_id IS NOT NULL
              AND ((m.reference_type = 'donation' AND m.movement_type = 'receipt'
                    AND NOT EXISTS (SELECT 1 FROM nightly.records r WHERE r.record_type = 'intake' AND r.live AND r.fields->>'status' <> 'voided'
                                    AND r.fields->>'donation_id' = m.reference_id))
                OR (m.reference_type = 'agency_order' AND m.movement_type = 'distribution'
                    AND NOT EXISTS (SELECT 1 FROM nightly.records s WHERE s.record_type = 'shipment' AND s.live AND s.fields->>'status' <> 'void'
                                    AND s.fields->>'shipped_at' IS NOT NULL AND s.fields->>'order_id' = m.reference_id)))),
        earliest AS (
            SELECT DISTINCT ON (m.reference_type, m.reference_id) m.reference_type, m.reference_id, m.location_id, m.business_date
            FROM ops.inventory_movements m JOIN unwitnessed u ON u.reference_id = m.reference_id AND u.reference_type = m.reference_type
            WHERE m.movement_type = CASE m.reference_type WHEN 'donation' THEN 'receipt' ELSE 'distribution' END
            ORDER BY m.reference_type, m.reference_id, m.occurred_at, m.source_system COLLATE "C",
                     (CASE WHEN m.source_system = 'warehouse' THEN lpad(regexp_replace(m.row_id, '^[^:]*:[^:]*:', ''), 20, '0')
                           ELSE regexp_replace(m.row_id, '^[^:]*:[^:]*:', '') END) COLLATE "C"),
        unwitnessed_side AS (
            SELECT CASE e.reference_type WHEN 'donation' THEN 'donation_vs_receipt' ELSE 'shipment_vs_distribution' END::text AS kind,
                   e.location_id, e.reference_id, 0::numeric AS expected,
                   (SELECT CASE e.reference_type WHEN 'donation' THEN 1 ELSE -1 END * sum(m.delta_cases) FROM ops.inventory_movements m
                    WHERE m.reference_id = e.reference_id AND m.reference_type = e.reference_type
                      AND m.movement_type = CASE e.reference_type WHEN 'donation' THEN 'receipt' ELSE 'distribution' END) AS actual
            FROM earliest e WHERE e.business_date = $1::date)
        SELECT kind, location_id, reference_id, expected::numeric(14,2) AS expected, actual::numeric(14,2) AS actual,
               (actual - expected)::numeric(14,2) AS delta
        FROM (SELECT * FROM donation_side UNION ALL SELECT * FROM shipment_side UNION ALL SELECT * FROM unwitnessed_side) x
        WHERE actual <> expected
        """,
    ]

    // MARK: a new version from the temporary tables ($1: the date, $2: the version)

    static let insertStatements = [
        """
        INSERT INTO finance.daily_inventory (business_date, sku, location_id, opening_cases, receipts_cases, transfers_in_cases, transfers_out_cases,
                                             adjustments_cases, spoilage_cases, distributions_cases, closing_cases, closing_lbs, snapshot_version, finalized_at)
        SELECT $1::date, sku, location_id, opening, receipts, transfers_in, transfers_out, adjustments, spoilage, distributions, closing, closing_lbs, $2, now()
        FROM day_inventory
        """,
        """
        INSERT INTO finance.daily_donations (business_date, location_id, donor_type, donations, cases, lbs, fair_market_value_usd, snapshot_version, finalized_at)
        SELECT $1::date, location_id, donor_type, donations, cases, lbs, fmv, $2, now() FROM day_donations
        """,
        """
        INSERT INTO finance.daily_fulfillment (business_date, agency_id, orders, cases_requested, cases_shipped, fill_rate, snapshot_version, finalized_at)
        SELECT $1::date, agency_id, orders, cases_requested, cases_shipped, fill_rate, $2, now() FROM day_fulfillment
        """,
        """
        INSERT INTO finance.reconciliation_exceptions (business_date, kind, location_id, reference_id, expected_cases, actual_cases, delta_cases, snapshot_version)
        SELECT $1::date, kind, location_id, reference_id, expected, actual, delta, $2 FROM day_exceptions
        """,
    ]
}
