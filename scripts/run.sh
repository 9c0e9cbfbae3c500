#!/usr/bin/env bash
# Runs the platform on the local stack, in one command on a fresh machine: set-up, stack, build,
# migrations and topics, then the platform's executables, fed with sample records; prints what
# landed and the consumer lag; stops everything it started on exit (Ctrl-C, or after --records).
#
# What runs today: the exactly-once self-check (relay: Kafka to Kafka in transactions; sink: Kafka
# to PostgreSQL with stored offsets), and ingestion fed by the simulator: cdc (the four source
# databases), sftp-watcher (the two feeds), normalize (raw records to the four canonical models) and
# dedupe (each event id once, to the unique topics), reconcile (on-hand and freshness) and dq (the
# four data-quality checks) and nightly (finance snapshots; the simulated days are backfilled).
# Usage: scripts/run.sh [--records N] [--keep-running]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=20000
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --records) RECORDS="$2"; shift 2 ;;
    --keep-running) KEEP=1; shift ;;
    *) echo "usage: $0 [--records N] [--keep-running]" >&2; exit 2 ;;
  esac
done

scripts/setup.sh
source scripts/env.sh
start_local_stack

swift build
BIN=$(swift build --show-bin-path)
"$BIN/foodbank-ctl" migrate
"$BIN/foodbank-ctl" topics apply --replication-factor 1

RUN="local-$(date +%s)"
TOPICS=(--input-topic "foodbank.selfcheck.input.$RUN" --output-topic "foodbank.selfcheck.output.$RUN" --dead-letter-topic "foodbank.dlq.selfcheck.$RUN")
LOGS="$FB_STATE/run/$RUN"; mkdir -p "$LOGS"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "$FB_STACK_STARTED" -eq 1 ] && scripts/stack.sh stop
  echo "logs: $LOGS"
}
trap cleanup EXIT

"$BIN/relay-check" produce --run-id "$RUN" "${TOPICS[@]}" --count "$RECORDS" --poison-every 5000
FOODBANK_INSTANCE_ID=local "$BIN/relay-check" relay --run-id "$RUN" "${TOPICS[@]}" > "$LOGS/relay.log" 2>&1 & pids+=($!)
FOODBANK_INSTANCE_ID=local "$BIN/relay-check" sink --run-id "$RUN" "${TOPICS[@]}" > "$LOGS/sink.log" 2>&1 & pids+=($!)

psql_reporting() { psql "$FOODBANK_DATABASE_URL" -At -c "$1"; }
echo "waiting for $RECORDS records to reach PostgreSQL..."
for _ in $(seq 1 240); do
  n=$(psql_reporting "SELECT count(*) FROM selfcheck.events WHERE run_id = '$RUN'" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge "$RECORDS" ] && break
  sleep 0.5
done
echo
echo "== rows in PostgreSQL (one per input record, however often Kafka delivered it)"
psql "$FOODBANK_DATABASE_URL" -c "SELECT count(*) AS rows, count(DISTINCT event_id) AS event_ids, sum(deliveries) AS deliveries FROM selfcheck.events WHERE run_id = '$RUN'"
echo "== relay lag (offsets in Kafka)"
"$BIN/foodbank-ctl" offsets --group "selfcheck-relay-$RUN" --topics "foodbank.selfcheck.input.$RUN"
echo "== sink offsets (stored in PostgreSQL with the rows)"
psql "$FOODBANK_DATABASE_URL" -c "SELECT topic, partition, next_offset, updated_at FROM platform.consumer_offsets WHERE consumer_group = 'selfcheck-sink-$RUN' ORDER BY partition"
echo "== dead letters (poison records, with reason headers)"
kcat -b "$KAFKA_BOOTSTRAP_SERVERS" -C -t "foodbank.dlq.selfcheck.$RUN" -o beginning -e -q -f '%k  reason=%h\n' 2>/dev/null | tail -n 5 || true

# Ingestion: simulated activity through cdc and the feed watcher, normalized and deduplicated.
FOODBANK_INSTANCE_ID=local FOODBANK_DATABASE_URL="$FOODBANK_CDC_DATABASE_URL" "$BIN/cdc" > "$LOGS/cdc.log" 2>&1 & pids+=($!)
FOODBANK_INSTANCE_ID=local FOODBANK_DATABASE_URL="$FOODBANK_SFTP_WATCHER_DATABASE_URL" FOODBANK_METRICS_PORT=9406 "$BIN/sftp-watcher" --interval 3 > "$LOGS/sftp-watcher.log" 2>&1 & pids+=($!)
FOODBANK_INSTANCE_ID=local FOODBANK_DATABASE_URL="$FOODBANK_NORMALIZE_DATABASE_URL" FOODBANK_METRICS_PORT=9401 "$BIN/normalize" > "$LOGS/normalize.log" 2>&1 & pids+=($!)
FOODBANK_INSTANCE_ID=local FOODBANK_METRICS_PORT=9402 "$BIN/dedupe" > "$LOGS/dedupe.log" 2>&1 & pids+=($!)
FOODBANK_INSTANCE_ID=local FOODBANK_DATABASE_URL="$FOODBANK_RECONCILE_DATABASE_URL" FOODBANK_METRICS_PORT=9403 "$BIN/reconcile" > "$LOGS/reconcile.log" 2>&1 & pids+=($!)
# A one-minute grace period for orphaned shipments, so the planted ones show before the script ends.
FOODBANK_INSTANCE_ID=local FOODBANK_DATABASE_URL="$FOODBANK_DQ_DATABASE_URL" FOODBANK_METRICS_PORT=9404 "$BIN/dq" --grace-seconds 60 --sweep-seconds 5 > "$LOGS/dq.log" 2>&1 & pids+=($!)
FOODBANK_INSTANCE_ID=local FOODBANK_DATABASE_URL="$FOODBANK_NIGHTLY_DATABASE_URL" FOODBANK_METRICS_PORT=9405 "$BIN/nightly" --check-seconds 30 > "$LOGS/nightly.log" 2>&1 & pids+=($!)
# Paced over 20 s, so the feed watcher (polling every 3 s) sees the re-delivered and corrected files.
SIM_TAG="L$(date +%s)"
SIM_END="$(TZ=America/Los_Angeles date -d yesterday +%F)"
SIM_FIRST="$(date -d "$SIM_END - 2 days" +%F)"
"$BIN/simulator" --tag "$SIM_TAG" --sku-prefix "SKU$SIM_TAG" --days 3 --over-seconds 20 --end-date "$SIM_END" --truth "$LOGS/truth" \
  > "$LOGS/simulator.log" 2>&1
echo "== simulator"; cat "$LOGS/simulator.log"
count_topic() { kcat -b "$KAFKA_BOOTSTRAP_SERVERS" -C -t "$1" -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l; }
echo "waiting for the sources to flow through cdc, the feed watcher, normalize and dedupe..."
previous=-1
for _ in $(seq 1 60); do
  sleep 3
  now=$(( $(count_topic foodbank.canonical.inventory_events) + $(count_topic foodbank.unique.inventory_events) ))
  [ "$now" -gt 0 ] && [ "$now" -eq "$previous" ] && break
  previous=$now
done
echo "== cdc slots";  psql "$FOODBANK_DATABASE_URL" -c "SELECT slot_name, consistent_point, snapshot_rows, snapshot_completed_at FROM platform.cdc_sources WHERE slot_name LIKE 'foodbank\\_%' ORDER BY 1"
echo "== feed files"; psql "$FOODBANK_DATABASE_URL" -c "SELECT feed, status, count(*) AS files, sum(row_count) AS rows FROM platform.file_manifest GROUP BY 1, 2 ORDER BY 1, 2"
echo "== topics"
for t in foodbank.cdc.warehouse.wms.inventory_transactions foodbank.files.legacy_wms foodbank.files.adjustments \
         foodbank.cdc.donations.intake.donations foodbank.cdc.agency.agency.orders foodbank.cdc.fulfillment.pick.shipment_lines \
         foodbank.canonical.{inventory_events,donations,agency_orders,fulfillment_line_items} \
         foodbank.unique.{inventory_events,donations,agency_orders,fulfillment_line_items} \
         foodbank.ops.inventory_balances foodbank.ops.dq_findings \
         foodbank.dlq.normalize foodbank.dlq.dedupe foodbank.dlq.reconcile foodbank.dlq.dq foodbank.dlq.sftp_watcher; do
  printf '%-52s %8d records\n' "$t" "$(count_topic "$t")"
done
echo "== on hand (reconcile), largest positions"
psql "$FOODBANK_DATABASE_URL" -c "SELECT sku, location_id, lot_code, on_hand_cases, on_hand_lbs, last_movement_at FROM ops.inventory_on_hand ORDER BY on_hand_cases DESC LIMIT 10"
echo "waiting out dq's grace period for orphaned shipments (60 s)..."
sleep 65
echo "== data-quality findings (dq), open and resolved, and what this simulation planted"
psql "$FOODBANK_DATABASE_URL" -c "SELECT check_name, severity, count(*) FILTER (WHERE resolved_at IS NULL) AS open, count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved FROM ops.dq_violations GROUP BY 1, 2 ORDER BY 1"
cut -f1 "$LOGS/truth/planted.tsv" | sort | uniq -c
echo "== on hand against the simulator's truth (this run's items)"
psql "$FOODBANK_DATABASE_URL" -At -F $'\t' -c "SELECT sku, location_id, lot_code, on_hand_cases, on_hand_lbs FROM ops.inventory_on_hand WHERE sku LIKE 'SKU$SIM_TAG-%' OR sku LIKE 'UNKNOWN-$SIM_TAG-%'" \
  > "$LOGS/on_hand.tsv"
python3 - "$LOGS/truth/on_hand.tsv" "$LOGS/on_hand.tsv" <<'PY'
import sys
from decimal import Decimal
def load(path):
    rows = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) == 5 and (Decimal(f[3]) != 0 or Decimal(f[4]) != 0):
            rows[tuple(f[:3])] = (Decimal(f[3]), Decimal(f[4]))
    return rows
truth, actual = load(sys.argv[1]), load(sys.argv[2])
wrong = [k for k in truth.keys() | actual.keys() if truth.get(k) != actual.get(k)]
print(f"{len(truth)} positions in the truth, {len(actual)} in ops.inventory_on_hand, {len(wrong)} differ (cases or pounds)")
for k in sorted(wrong)[:5]: print("  differs:", "|".join(k), truth.get(k), actual.get(k))
PY
echo "== finance: the simulated days finalized (nightly --backfill; the running nightly finalizes yesterday by itself by 06:00)"
"$BIN/nightly" --backfill-from "$SIM_FIRST" --backfill-to "$SIM_END" 2>/dev/null
psql "$FOODBANK_DATABASE_URL" -c "SELECT business_date, snapshot_version, count(*) AS positions, sum(receipts_cases) AS receipts, sum(distributions_cases) AS distributions, sum(closing_cases) AS closing FROM finance.daily_inventory_latest WHERE sku LIKE 'SKU$SIM_TAG-%' GROUP BY 1, 2 ORDER BY 1"
psql "$FOODBANK_DATABASE_URL" -c "SELECT business_date, sum(orders) AS orders, sum(cases_requested) AS requested, sum(cases_shipped) AS shipped FROM finance.daily_fulfillment f WHERE business_date BETWEEN '$SIM_FIRST' AND '$SIM_END' AND snapshot_version = (SELECT max(snapshot_version) FROM finance.snapshot_versions v WHERE v.business_date = f.business_date) GROUP BY 1 ORDER BY 1"
echo "== consumer lag (the whole fleet)"
"$BIN/foodbank-ctl" lag | grep '^total'
echo "== metrics of reconcile (every consumer serves /metrics, /healthz, /readyz)"
curl -s localhost:9403/metrics | grep -E '^foodbank_(events_total|end_to_end_latency_seconds_count)' || true
echo "== freshness"
psql "$FOODBANK_DATABASE_URL" -c "SELECT source, last_source_ts, last_processed_at FROM ops.pipeline_freshness ORDER BY source"
echo "truth of this simulation: $LOGS/truth"
if [ $KEEP -eq 1 ]; then echo "running; Ctrl-C stops everything"; wait; fi
