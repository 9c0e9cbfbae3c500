#!/usr/bin/env bash
# normalize and dedupe throughput (events/s) and end-to-end latency p50/p99, beside the broker's
# transactional pass-through rate measured in the same run (the ceiling), on the local stack.
# Usage: scripts/bench-canonical.sh [scale] [latency rate, raw records/s]
#   scale 450000 is about a million canonical events (the issue's figure); release build.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-450000}"
RATE="${2:-10000}"
source scripts/env.sh
prepare_release_bench relay-check
echo "broker: Tansu (memory) at $KAFKA_BOOTSTRAP_SERVERS; PostgreSQL for normalize's header keys; $(nproc) cores"
"$BIN/relay-check" bench-stages --scale "$SCALE" --rate "$RATE" 2> >(grep -v " info " >&2)
