#!/usr/bin/env bash
# nightly: the time to finalize one business day and one month of history at the mission's volume,
# on the local stack. Loads a synthetic month straight into nightly's inputs (reconcile's ledger
# and nightly.records) on dates in 2019 that nothing else uses, then times `nightly --backfill`:
# first one day (its opening summed from the whole ledger, as for a first night), then the rest of the
# month night by night (each opening from the day before).
# Usage: scripts/bench-nightly.sh [share of the mission's volume, default 1.0]
#   The mission: ~8M inventory rows, 1.2M donations and 400K fulfillment records a month.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARE="${1:-1.0}"
source scripts/env.sh
prepare_release_bench nightly
RUN="NB$(date +%s)"
FIRST=2019-06-01
LAST=2019-06-30
MOVEMENTS=$(python3 -c "print(int(8_000_000 * $SHARE / 30))")
DONATIONS=$(python3 -c "print(int(1_200_000 * $SHARE / 30))")
SHIPMENTS=$(python3 -c "print(int(400_000 * $SHARE / 30 / 2))")
psql_run() { psql "$FOODBANK_DATABASE_URL" -v ON_ERROR_STOP=1 -q "$@"; }
echo "run $RUN: $MOVEMENTS movements, $DONATIONS donations, $SHIPMENTS shipments (2 lines each) a day, $FIRST..$LAST; $(nproc) cores"
# Earlier runs on these dates would be finalized already: clear their inputs (finance keeps its history).
psql_run -c "DELETE FROM ops.inventory_movements WHERE business_date BETWEEN '$FIRST' AND '$LAST'" \
         -c "DELETE FROM nightly.records WHERE fields->>'bench' = 'true'"
start=$(date +%s)
psql_run <<SQL
INSERT INTO ops.inventory_movements (event_id, sku, location_id, lot_code, movement_type, retraction, delta_cases, own_lbs, reference_type,
                                     reference_id, occurred_at, business_date, source_system)
SELECT '$RUN:' || d || ':' || n, 'BENCH-' || lpad((n % 4000)::text, 4, '0'), 'LOC-' || (n % 6), CASE WHEN n % 3 = 0 THEN '' ELSE 'L' || (n % 5) END,
       (ARRAY['receipt','distribution','transfer_out','transfer_in','adjustment','spoilage'])[1 + n % 6], false,
       CASE WHEN n % 6 IN (0, 3) THEN 1 + n % 40 WHEN n % 6 = 4 THEN (n % 9) - 4 ELSE -(1 + n % 30) END, NULL, NULL, NULL,
       (DATE '$FIRST' + d) + interval '15 hours', DATE '$FIRST' + d, 'warehouse'
FROM generate_series(0, 29) d, generate_series(1, $MOVEMENTS) n;
INSERT INTO nightly.records (record_type, source_id, live, position, fields, business_date)
SELECT 'intake', '$RUN-' || d || '-' || n, true, 1,
       jsonb_build_object('intake_id', ('9' || d || lpad(n::text, 7, '0'))::bigint, 'donation_id', 'R-$RUN-' || d || '-' || n, 'donor_id', 'D-' || (n % 20),
                          'location_id', 'LOC-' || (n % 6), 'status', 'received', 'bench', 'true'), DATE '$FIRST' + d
FROM generate_series(0, 29) d, generate_series(1, $DONATIONS) n;
INSERT INTO nightly.records (record_type, source_id, live, position, fields, business_date)
SELECT 'donation_line', '$RUN-' || d || '-' || n || '/1', true, 1,
       jsonb_build_object('intake_id', ('9' || d || lpad(n::text, 7, '0'))::bigint, 'line_no', 1, 'quantity_cases', '4.00', 'weight_lbs', '60.0',
                          'fair_market_value_usd', '25.00', 'bench', 'true'), NULL
FROM generate_series(0, 29) d, generate_series(1, $DONATIONS) n;
INSERT INTO nightly.records (record_type, source_id, live, position, fields, business_date)
SELECT kind, '$RUN-' || d || '-' || n || suffix, true, 1, fields || jsonb_build_object('bench', 'true'), day
FROM generate_series(0, 29) d, generate_series(1, $SHIPMENTS) n,
LATERAL (VALUES
  ('order', '', jsonb_build_object('order_id', 'O-$RUN-' || d || '-' || n, 'agency_id', 'AG-' || (n % 12)), NULL::date),
  ('order_line', '/1', jsonb_build_object('order_id', 'O-$RUN-' || d || '-' || n, 'line_no', 1, 'quantity_cases_requested', '6.00'), NULL),
  ('order_line', '/2', jsonb_build_object('order_id', 'O-$RUN-' || d || '-' || n, 'line_no', 2, 'quantity_cases_requested', '3.00'), NULL),
  ('shipment', 'S', jsonb_build_object('shipment_id', 'S-$RUN-' || d || '-' || n, 'order_id', 'O-$RUN-' || d || '-' || n, 'location_id', 'LOC-1',
                                      'status', 'shipped', 'shipped_at', (DATE '$FIRST' + d)::text || 'T20:00:00.000Z'), DATE '$FIRST' + d),
  ('shipment_line', 'S/1', jsonb_build_object('shipment_id', 'S-$RUN-' || d || '-' || n, 'line_no', 1, 'quantity_cases', '5.00'), NULL),
  ('shipment_line', 'S/2', jsonb_build_object('shipment_id', 'S-$RUN-' || d || '-' || n, 'line_no', 2, 'quantity_cases', '3.00'), NULL)
) AS r(kind, suffix, fields, day);
ANALYZE ops.inventory_movements;
ANALYZE nightly.records;
SQL
echo "loaded in $(( $(date +%s) - start )) s: $(psql "$FOODBANK_DATABASE_URL" -Atc "SELECT count(*) FROM ops.inventory_movements") ledger rows, $(psql "$FOODBANK_DATABASE_URL" -Atc "SELECT count(*) FROM nightly.records") nightly records in all"
echo "== one day (a first night: the opening is summed from the whole ledger)"
"$BIN/nightly" --backfill-from "$FIRST" --backfill-to "$FIRST" 2> >(grep -v " info " >&2) | tail -1
echo "== the rest of the month, night by night"
"$BIN/nightly" --backfill-from 2019-06-02 --backfill-to "$LAST" 2> >(grep -v " info " >&2) | tail -4
echo "== removing the synthetic inputs (the finance rows stay: they are append-only)"
psql_run -c "DELETE FROM ops.inventory_movements WHERE business_date BETWEEN '$FIRST' AND '$LAST'" \
         -c "DELETE FROM nightly.records WHERE fields->>'bench' = 'true'"
