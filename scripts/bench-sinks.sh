#!/usr/bin/env bash
# reconcile and dq: throughput (events/s) and latency p50/p99 from a record's arrival in its input
# topic to its database commit, at the mission's peak rate and at ten times it, on the local stack.
# Usage: scripts/bench-sinks.sh [scale] [peak rate, records/s]
#   The mission's ~9.6M source rows a month (8M inventory, 1.2M donations, 400K fulfillment) are about
#   11M unique records with retractions and transfer pairs: 4 a second on average, about 13 a second
#   over 22 working days of 10 hours. The peak default, 100 a second, allows an 8x burst on that (a
#   satellite's day of movements arriving as one file); the second phase runs at ten times the peak.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-100000}"
PEAK="${2:-100}"
source scripts/env.sh
prepare_release_bench relay-check
echo "broker: Tansu (memory) at $KAFKA_BOOTSTRAP_SERVERS; PostgreSQL $(psql "$FOODBANK_DATABASE_URL" -Atc 'SHOW server_version'); $(nproc) cores"
"$BIN/relay-check" bench-sinks --scale "$SCALE" --rates "$PEAK" "$((PEAK * 10))" 2> >(grep -v " info " >&2)
