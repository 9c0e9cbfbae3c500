#!/usr/bin/env bash
# Kafka-layer throughput on the local stack: idempotent produce, group consume and the transactional
# consume-produce loop (records/s), beside kcat's raw consume rate on the same broker and topic.
# Usage: scripts/bench.sh [records] [value bytes]    (release build; the stack is started if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${1:-200000}"
BYTES="${2:-200}"
scripts/setup.sh >/dev/null
source scripts/env.sh
start_local_stack >/dev/null
swift build -c release --product relay-check >/dev/null
BIN=$(swift build -c release --show-bin-path)
RUN="b$(date +%s)"
echo "broker: Tansu (memory) at $KAFKA_BOOTSTRAP_SERVERS; $COUNT records of $BYTES bytes, 6 partitions; $(nproc) cores"
"$BIN/relay-check" bench --count "$COUNT" --value-bytes "$BYTES" --batch 5000 --run-id "$RUN" 2> >(grep -v " info " >&2)
start=$(date +%s.%N)
n=$(kcat -b "$KAFKA_BOOTSTRAP_SERVERS" -C -t "foodbank.selfcheck.input.bench-$RUN" -o beginning -e -q -f '%o\n' | wc -l)
end=$(date +%s.%N)
awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "%-62s %9d records %7.2f s %10.0f records/s\n", "kcat raw consume (reference, same topic)", n, e-s, n/(e-s) }'
