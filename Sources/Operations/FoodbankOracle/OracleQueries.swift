/// The contract's definitions of the curated tables, as SQL over the sources' current state (the
/// scratch tables of ``SourceTable``) and the feeds' counted rows (``FeedFold``). Each clause names
/// the contract sentence it implements; choices the contract leaves open are in the README's
/// list of decisions. Shares no code with the stages but the contract's column names and the
/// manifest's delivery order (``LiveSources``), which the oracle cannot observe on its own.
enum OracleQueries {
    /// `n(x)`: a number as text without trailing zeros; `ts(x)`: an instant in UTC, microseconds.
    static let helpers = [
        "CREATE FUNCTION pg_temp.n(numeric) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT trim_scale($1)::text $$",
        """
        CREATE FUNCTION pg_temp.ts(timestamptz) RETURNS text IMMUTABLE LANGUAGE sql AS
        $$ SELECT to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$
        """,
        // A zoneless Pacific time as an instant. A time the fall-back repeats is its first occurrence
        // (daylight time); one the spring-forward skips reads with the offset before the change.
        // PostgreSQL alone takes the later occurrence: an hour earlier, read, plus the hour, is the first.
        """
        CREATE FUNCTION pg_temp.pacific(timestamp) RETURNS timestamptz IMMUTABLE LANGUAGE sql AS
        $$ SELECT least($1 AT TIME ZONE 'America/Los_Angeles', ($1 - interval '1 hour') AT TIME ZONE 'America/Los_Angeles' + interval '1 hour') $$
        """,
    ]

    /// Every movement that counts, one row per effect on one (sku, location, lot).
    /// "Stock moves only through: wms.inventory_transactions, feed 5 and feed 6."
    static let movements = """
        CREATE TEMP VIEW o_movements AS
        WITH warehouse AS (
            SELECT t.*, coalesce(i.unit_weight_lbs, 0) AS unit_weight
            FROM o_transactions t LEFT JOIN o_items i ON i.sku = t.sku
            -- A version that cannot be read counts not at all: cases must be positive for every type
            -- but 'adjustment' (signed), and a transfer needs its destination.
            WHERE t.txn_type IN ('receipt', 'transfer', 'adjustment', 'spoilage', 'distribution')
              AND (t.txn_type = 'adjustment' OR t.quantity_cases > 0)
              AND (t.txn_type <> 'transfer' OR coalesce(t.to_location_id, '') <> '')),
        effects AS (
            -- receipt +q; transfer -q at the source; adjustment its signed delta; spoilage -q; distribution -q.
            SELECT 'warehouse' AS system, lpad(txn_id::text, 20, '0') AS source_key, sku, location_id,
                   coalesce(lot_code, '') AS lot_code,
                   CASE txn_type WHEN 'transfer' THEN 'transfer_out' ELSE txn_type END AS kind,
                   CASE WHEN txn_type IN ('receipt', 'adjustment') THEN quantity_cases ELSE -quantity_cases END AS cases,
                   abs(weight_lbs) AS own_lbs, unit_weight, occurred_at,
                   (occurred_at AT TIME ZONE 'America/Los_Angeles')::date AS business_date,
                   CASE WHEN txn_type = 'receipt' AND reference_type = 'donation' THEN nullif(reference_id, '') END AS donation_ref,
                   CASE WHEN txn_type = 'distribution' AND reference_type = 'agency_order' THEN nullif(reference_id, '') END AS order_ref
            FROM warehouse
            UNION ALL
            -- ... and +q at the destination.
            SELECT 'warehouse', lpad(txn_id::text, 20, '0'), sku, to_location_id, coalesce(lot_code, ''), 'transfer_in',
                   quantity_cases, abs(weight_lbs), unit_weight, occurred_at,
                   (occurred_at AT TIME ZONE 'America/Los_Angeles')::date, NULL, NULL
            FROM warehouse WHERE txn_type = 'transfer'
            UNION ALL
            -- Feed 5: TRANSFER_OUT -q, TRANSFER_IN +q; the site is the location; local Pacific time.
            SELECT 'legacy_wms', f.site_code || '|' || f.movement_id, f.sku, f.site_code, f.lot, lower(f.movement_type),
                   CASE WHEN f.movement_type IN ('RECEIPT', 'TRANSFER_IN') THEN f.cases ELSE -f.cases END,
                   abs(f.lbs), coalesce(i.unit_weight_lbs, 0),
                   pg_temp.pacific(f.occurred_local), f.occurred_local::date,
                   CASE WHEN f.movement_type = 'RECEIPT' THEN f.reference END,
                   CASE WHEN f.movement_type = 'DISTRIBUTION' THEN f.reference END
            FROM o_feed_movements f LEFT JOIN o_items i ON i.sku = f.sku
            UNION ALL
            -- Feed 6: its signed delta; SPOILAGE and EXPIRED count as spoilage; dated by effective_date.
            SELECT 'adjustments', a.adjustment_id, a.sku, a.location_id, a.lot_code,
                   CASE WHEN a.reason IN ('SPOILAGE', 'EXPIRED') THEN 'spoilage' ELSE 'adjustment' END,
                   a.delta_cases, NULL, coalesce(i.unit_weight_lbs, 0),
                   pg_temp.pacific(a.effective_date + time '12:00'), a.effective_date, NULL, NULL
            FROM o_feed_adjustments a LEFT JOIN o_items i ON i.sku = a.sku)
        -- Weight: its own when given, else cases times the item's unit weight (0 for an unknown sku);
        -- a magnitude whose sign follows the movement's effect on the cases.
        SELECT e.*, sign(e.cases) * coalesce(e.own_lbs, abs(e.cases) * e.unit_weight) AS lbs FROM effects e
        """

    /// The counted intake of each donation id: its most recent (highest intake_id) not voided.
    static let countedIntakes = """
        CREATE TEMP VIEW o_counted_intakes AS
        SELECT DISTINCT ON (donation_id) *, (received_at AT TIME ZONE 'America/Los_Angeles')::date AS business_date
        FROM o_intakes WHERE status <> 'voided' ORDER BY donation_id, intake_id DESC
        """

    /// Shipped: a `shipped_at` and not void.
    static let shippedShipments = """
        CREATE TEMP VIEW o_shipped AS
        SELECT *, (shipped_at AT TIME ZONE 'America/Los_Angeles')::date AS business_date
        FROM o_shipments WHERE shipped_at IS NOT NULL AND status <> 'void'
        """

    static let views = [movements, countedIntakes, shippedShipments]

    // MARK: the curated tables

    static let inventoryOnHand = CuratedTable(
        name: "ops.inventory_on_hand", keyColumns: ["sku", "location_id", "lot_code"],
        valueColumns: ["on_hand_cases", "on_hand_lbs", "last_movement_at"],
        oracleSQL: """
            SELECT sku, location_id, lot_code, pg_temp.n(sum(cases)), pg_temp.n(sum(lbs)), pg_temp.ts(max(occurred_at))
            FROM o_movements GROUP BY sku, location_id, lot_code
            """,
        reportingSQL: """
            SELECT sku, location_id, lot_code, pg_temp.n(on_hand_cases), pg_temp.n(on_hand_lbs), pg_temp.ts(last_movement_at)
            FROM ops.inventory_on_hand
            """,
        dated: false, lingeringRowZeroColumns: ["on_hand_cases", "on_hand_lbs"])

    static let openFindings = CuratedTable(
        name: "ops.dq_violations", keyColumns: ["check_name", "entity_key"], valueColumns: ["open_rows"],
        oracleSQL: """
            -- One open row per problem.
            SELECT check_name, entity_key, '1' FROM (
            -- missing_sku: every live record that names a sku the item master does not hold.
            SELECT DISTINCT 'missing_sku' AS check_name, r.sku AS entity_key FROM (
                SELECT sku FROM o_movements UNION SELECT sku FROM o_donation_lines
                UNION SELECT sku FROM o_order_lines UNION SELECT sku FROM o_shipment_lines) r
            WHERE NOT EXISTS (SELECT 1 FROM o_items i WHERE i.sku = r.sku)
            UNION ALL
            -- negative_balance: an on-hand position below zero cases.
            SELECT 'negative_balance', sku || '|' || location_id || '|' || lot_code FROM o_movements
            GROUP BY sku, location_id, lot_code HAVING sum(cases) < 0
            UNION ALL
            -- duplicate_donation_id: a donation id keyed on more than one intake that is not voided.
            SELECT 'duplicate_donation_id', donation_id FROM o_intakes WHERE status <> 'voided'
            GROUP BY donation_id HAVING count(*) > 1
            UNION ALL
            -- orphaned_fulfillment: a shipment not void whose order, or an order line one of its lines names, does not exist.
            SELECT 'orphaned_fulfillment', s.shipment_id FROM o_shipments s
            WHERE s.status <> 'void'
              AND (NOT EXISTS (SELECT 1 FROM o_orders o WHERE o.order_id = s.order_id)
                   OR EXISTS (SELECT 1 FROM o_shipment_lines l WHERE l.shipment_id = s.shipment_id
                              AND NOT EXISTS (SELECT 1 FROM o_order_lines ol WHERE ol.order_id = s.order_id AND ol.line_no = l.order_line_no)))
            ) findings
            """,
        reportingSQL: """
            SELECT check_name, entity_key, count(*)::text FROM ops.dq_violations
            WHERE resolved_at IS NULL AND check_name IN ('missing_sku', 'negative_balance', 'duplicate_donation_id', 'orphaned_fulfillment')
            GROUP BY check_name, entity_key
            """,
        dated: false, lingeringRowZeroColumns: [])

    /// The latest version of a finance table's rows, for days `$1` to `$2`.
    static func latestVersion(_ table: String, _ columns: String) -> String {
        """
        SELECT \(columns) FROM finance.\(table) t
        WHERE t.business_date BETWEEN $1::date AND $2::date
          AND t.snapshot_version = (SELECT max(v.snapshot_version) FROM finance.snapshot_versions v WHERE v.business_date = t.business_date)
        """
    }

    static let dailyInventory = CuratedTable(
        name: "finance.daily_inventory", keyColumns: ["business_date", "sku", "location_id"],
        valueColumns: ["opening_cases", "receipts_cases", "transfers_in_cases", "transfers_out_cases", "adjustments_cases",
                       "spoilage_cases", "distributions_cases", "closing_cases", "closing_lbs"],
        oracleSQL: """
            WITH days AS (SELECT d::date AS business_date FROM generate_series($1::date, $2::date, interval '1 day') d),
            summed AS (
                -- Summed over lots; each day's opening is everything before it, so it is the previous closing.
                SELECT d.business_date, m.sku, m.location_id,
                       coalesce(sum(m.cases) FILTER (WHERE m.business_date < d.business_date), 0) AS opening,
                       coalesce(sum(m.cases) FILTER (WHERE m.business_date = d.business_date AND m.kind = 'receipt'), 0) AS receipts,
                       coalesce(sum(m.cases) FILTER (WHERE m.business_date = d.business_date AND m.kind = 'transfer_in'), 0) AS transfers_in,
                       coalesce(-sum(m.cases) FILTER (WHERE m.business_date = d.business_date AND m.kind = 'transfer_out'), 0) AS transfers_out,
                       -- every adjustment adds its signed delta; a spoilage adds -delta to spoilage
                       coalesce(sum(m.cases) FILTER (WHERE m.business_date = d.business_date AND m.kind = 'adjustment'), 0) AS adjustments,
                       coalesce(-sum(m.cases) FILTER (WHERE m.business_date = d.business_date AND m.kind = 'spoilage'), 0) AS spoilage,
                       coalesce(-sum(m.cases) FILTER (WHERE m.business_date = d.business_date AND m.kind = 'distribution'), 0) AS distributions,
                       sum(m.cases) AS closing, sum(m.lbs) AS closing_lbs,
                       count(*) FILTER (WHERE m.business_date = d.business_date) AS moved
                FROM days d JOIN o_movements m ON m.business_date <= d.business_date
                GROUP BY d.business_date, m.sku, m.location_id)
            -- One row per day and (sku, location) that moved that day or opened non-zero.
            SELECT business_date::text, sku, location_id, pg_temp.n(opening), pg_temp.n(receipts), pg_temp.n(transfers_in),
                   pg_temp.n(transfers_out), pg_temp.n(adjustments), pg_temp.n(spoilage), pg_temp.n(distributions),
                   pg_temp.n(closing), pg_temp.n(closing_lbs)
            FROM summed WHERE moved > 0 OR opening <> 0
            """,
        reportingSQL: latestVersion("daily_inventory", """
            business_date::text, sku, location_id, pg_temp.n(opening_cases), pg_temp.n(receipts_cases), pg_temp.n(transfers_in_cases),
            pg_temp.n(transfers_out_cases), pg_temp.n(adjustments_cases), pg_temp.n(spoilage_cases), pg_temp.n(distributions_cases),
            pg_temp.n(closing_cases), pg_temp.n(closing_lbs)
            """),
        dated: true, lingeringRowZeroColumns: [])

    static let dailyDonations = CuratedTable(
        name: "finance.daily_donations", keyColumns: ["business_date", "location_id", "donor_type"],
        valueColumns: ["donations", "cases", "lbs", "fair_market_value_usd"],
        oracleSQL: """
            WITH lines AS (
                SELECT intake_id, sum(quantity_cases) AS cases, sum(weight_lbs) AS lbs, sum(fair_market_value_usd) AS fmv
                FROM o_donation_lines GROUP BY intake_id)
            -- From the counted intake of each donation id (voided excluded); donations: distinct donation ids.
            SELECT c.business_date::text, c.location_id, coalesce(d.donor_type, 'unknown'), count(DISTINCT c.donation_id)::text,
                   pg_temp.n(coalesce(sum(l.cases), 0)), pg_temp.n(coalesce(sum(l.lbs), 0)), pg_temp.n(coalesce(sum(l.fmv), 0))
            FROM o_counted_intakes c LEFT JOIN o_donors d ON d.donor_id = c.donor_id LEFT JOIN lines l ON l.intake_id = c.intake_id
            WHERE c.business_date BETWEEN $1::date AND $2::date
            GROUP BY 1, 2, 3
            """,
        reportingSQL: latestVersion("daily_donations", """
            business_date::text, location_id, donor_type, donations::text, pg_temp.n(cases), pg_temp.n(lbs), pg_temp.n(fair_market_value_usd)
            """),
        dated: true, lingeringRowZeroColumns: [])

    static let dailyFulfillment = CuratedTable(
        name: "finance.daily_fulfillment", keyColumns: ["business_date", "agency_id"],
        valueColumns: ["orders", "cases_requested", "cases_shipped", "fill_rate"],
        oracleSQL: """
            WITH day_orders AS (SELECT DISTINCT business_date, order_id FROM o_shipped),
            requested AS (SELECT order_id, sum(quantity_cases_requested) AS cases FROM o_order_lines GROUP BY order_id),
            shipped AS (
                SELECT s.business_date, s.order_id, sum(l.quantity_cases) AS cases
                FROM o_shipped s JOIN o_shipment_lines l ON l.shipment_id = s.shipment_id GROUP BY 1, 2),
            per_agency AS (
                -- orders shipped that day; all lines of those orders requested; that day's shipment lines shipped.
                SELECT o.business_date, coalesce(a.agency_id, 'unknown') AS agency_id, count(*) AS orders,
                       coalesce(sum(r.cases), 0) AS requested, coalesce(sum(s.cases), 0) AS shipped
                FROM day_orders o LEFT JOIN o_orders a ON a.order_id = o.order_id
                LEFT JOIN requested r ON r.order_id = o.order_id
                LEFT JOIN shipped s ON s.business_date = o.business_date AND s.order_id = o.order_id
                WHERE o.business_date BETWEEN $1::date AND $2::date
                GROUP BY 1, 2)
            SELECT business_date::text, agency_id, orders::text, pg_temp.n(requested), pg_temp.n(shipped),
                   CASE WHEN requested = 0 THEN NULL ELSE pg_temp.n(round(shipped / requested, 4)) END
            FROM per_agency
            """,
        reportingSQL: latestVersion("daily_fulfillment", """
            business_date::text, agency_id, orders::text, pg_temp.n(cases_requested), pg_temp.n(cases_shipped), pg_temp.n(fill_rate)
            """),
        dated: true, lingeringRowZeroColumns: [])

    static let reconciliationExceptions = CuratedTable(
        name: "finance.reconciliation_exceptions", keyColumns: ["business_date", "kind", "reference_id"],
        valueColumns: ["location_id", "expected_cases", "actual_cases", "delta_cases"],
        oracleSQL: """
            WITH intake_cases AS (
                -- expected: the cases of the donation id's counted intake, dated by received_at, at its location.
                SELECT c.donation_id, c.location_id, c.business_date, coalesce(sum(l.quantity_cases), 0) AS expected
                FROM o_counted_intakes c LEFT JOIN o_donation_lines l ON l.intake_id = c.intake_id
                GROUP BY 1, 2, 3),
            receipts AS (SELECT donation_ref AS reference_id, sum(cases) AS actual FROM o_movements WHERE donation_ref IS NOT NULL GROUP BY 1),
            -- Without a counted intake: dated and located by the earliest receipt (business time, then source identity).
            first_receipt AS (
                SELECT DISTINCT ON (donation_ref) donation_ref AS reference_id, business_date, location_id
                FROM o_movements WHERE donation_ref IS NOT NULL ORDER BY donation_ref, occurred_at, system COLLATE "C", source_key COLLATE "C"),
            donation_side AS (
                SELECT 'donation_vs_receipt' AS kind, coalesce(i.business_date, f.business_date) AS business_date,
                       coalesce(i.location_id, f.location_id) AS location_id, coalesce(i.donation_id, r.reference_id) AS reference_id,
                       coalesce(i.expected, 0) AS expected, coalesce(r.actual, 0) AS actual
                FROM intake_cases i FULL JOIN receipts r ON r.reference_id = i.donation_id
                LEFT JOIN first_receipt f ON f.reference_id = r.reference_id),
            shipment_cases AS (
                -- expected: the cases on the order's shipped shipments, dated by the latest shipped_at, at that shipment's location.
                SELECT s.order_id, coalesce(sum(l.quantity_cases), 0) AS expected
                FROM o_shipped s LEFT JOIN o_shipment_lines l ON l.shipment_id = s.shipment_id GROUP BY 1),
            latest_shipment AS (
                SELECT DISTINCT ON (order_id) order_id, location_id, business_date FROM o_shipped
                ORDER BY order_id, shipped_at DESC, shipment_id COLLATE "C" DESC),
            witnessed AS (
                SELECT c.order_id, c.expected, t.location_id, t.business_date
                FROM shipment_cases c JOIN latest_shipment t ON t.order_id = c.order_id),
            distributions AS (SELECT order_ref AS reference_id, -sum(cases) AS actual FROM o_movements WHERE order_ref IS NOT NULL GROUP BY 1),
            first_distribution AS (
                SELECT DISTINCT ON (order_ref) order_ref AS reference_id, business_date, location_id
                FROM o_movements WHERE order_ref IS NOT NULL ORDER BY order_ref, occurred_at, system COLLATE "C", source_key COLLATE "C"),
            shipment_side AS (
                SELECT 'shipment_vs_distribution' AS kind, coalesce(w.business_date, f.business_date) AS business_date,
                       coalesce(w.location_id, f.location_id) AS location_id, coalesce(w.order_id, d.reference_id) AS reference_id,
                       coalesce(w.expected, 0) AS expected, coalesce(d.actual, 0) AS actual
                FROM witnessed w FULL JOIN distributions d ON d.reference_id = w.order_id
                LEFT JOIN first_distribution f ON f.reference_id = d.reference_id)
            -- One row where delta = actual - expected is not zero.
            SELECT business_date::text, kind, reference_id, location_id, pg_temp.n(expected), pg_temp.n(actual), pg_temp.n(actual - expected)
            FROM (SELECT * FROM donation_side UNION ALL SELECT * FROM shipment_side) x
            WHERE actual <> expected AND business_date BETWEEN $1::date AND $2::date
            """,
        reportingSQL: latestVersion("reconciliation_exceptions", """
            business_date::text, kind, reference_id, location_id, pg_temp.n(expected_cases), pg_temp.n(actual_cases), pg_temp.n(delta_cases)
            """),
        dated: true, lingeringRowZeroColumns: [])
}
