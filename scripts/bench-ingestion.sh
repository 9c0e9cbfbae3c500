#!/usr/bin/env bash
# Ingestion throughput on the local stack: CDC change events/s (wal2json slot -> Debezium envelopes
# in Kafka, acknowledged before the slot advances) and SFTP feed rows/s (download, parse, one
# Kafka transaction per file, manifest).
# Usage: scripts/bench-ingestion.sh [cdc changes] [feed rows]     (release build)
set -euo pipefail
cd "$(dirname "$0")/.."
CHANGES="${1:-200000}"
ROWS="${2:-200000}"
scripts/setup.sh >/dev/null
source scripts/env.sh
start_local_stack >/dev/null
swift build -c release >/dev/null
BIN=$(swift build -c release --show-bin-path)
"$BIN/foodbank-ctl" migrate >/dev/null
"$BIN/foodbank-ctl" topics apply --replication-factor 1 >/dev/null
RUN="b$(date +%s)"
SRC="${FOODBANK_SOURCE_DATABASE_URL_TEMPLATE/\{db\}/warehouse}"
cleanup() {
  psql "$SRC" -qAt -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'bench_${RUN}_warehouse'" >/dev/null 2>&1 || true
  rm -rf "$FOODBANK_SFTP_INBOX/$RUN"
}
trap cleanup EXIT
echo "stack: Tansu (memory) and PostgreSQL 15 on loopback; $(nproc) cores"

# CDC: create the slot (snapshot of what exists), write the changes, then time draining them.
"$BIN/cdc" --databases warehouse --slot-prefix "bench_$RUN" --exit-when-idle >/dev/null 2>&1
psql "$SRC" -qAt -c "INSERT INTO wms.inventory_transactions (txn_type, sku, location_id, lot_code, quantity_cases, occurred_at)
  SELECT 'receipt', 'SKU-' || (g % 500), 'OAK-MAIN', 'L' || (g % 7), (g % 40) + 0.25, now() - (g || ' seconds')::interval
  FROM generate_series(1, $CHANGES) g" >/dev/null
"$BIN/cdc" --databases warehouse --slot-prefix "bench_$RUN" --exit-when-idle 2>/dev/null

# SFTP: one legacy file of ROWS rows, published by one poll.
mkdir -p "$FOODBANK_SFTP_INBOX/$RUN/legacy_wms" "$FOODBANK_SFTP_INBOX/$RUN/adjustments"
FILE="$FOODBANK_SFTP_INBOX/$RUN/legacy_wms/movements_BENCH_202611220800.csv"
{ echo "movement_id,movement_type,sku,site_code,lot,cases,lbs,occurred_at,reference"
  awk -v n="$ROWS" 'BEGIN { for (i = 1; i <= n; i++) printf "BEN-%07d,RECEIPT,SKU-%d,HAY-SAT,L%d,%d.5,,11/22/2026 07:15,\"ref, %d\"\n", i, i % 500, i % 7, i % 40, i }'
  echo "TRAILER,$ROWS"; } > "$FILE"
start=$(date +%s.%N)
FOODBANK_INSTANCE_ID="bench-$RUN" "$BIN/sftp-watcher" --once --root "$RUN" 2>/dev/null
end=$(date +%s.%N)
awk -v n="$ROWS" -v s="$start" -v e="$end" -v b="$(stat -c %s "$FILE")" 'BEGIN { printf "sftp-watcher published %d rows (%.1f MB) in %.2f s: %.0f rows/s\n", n, b/1e6, e-s, n/(e-s) }'
