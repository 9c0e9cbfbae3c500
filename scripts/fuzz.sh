#!/usr/bin/env bash
# libFuzzer over the platform's readers of outside bytes (Fuzz/, a package of its own): the feed
# files, wal2json rows, raw records as normalize reads them, canonical records as reconcile, dq and
# nightly read them. Each target starts from its committed seeds (Fuzz/corpus/<target>) and the
# inputs of crashes found and fixed before (Fuzz/regressions/<target>), mutates with its format's
# words (Fuzz/dictionaries/<target>.dict), and runs for the given executions or until its first
# crash. Prints executions, seconds, exec/s and crashes per target; exits non-zero when any target
# crashed (the crashing inputs are kept in a temporary folder).
# Usage: scripts/fuzz.sh [executions per target, default 1000000] [target ...]
#   targets: feed-parser wal2json debezium-envelope canonical-record (default: all)
#   FUZZ_MAX_LEN (default 8192): the largest input libFuzzer makes.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-1000000}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(feed-parser wal2json debezium-envelope canonical-record)
MAX_LEN="${FUZZ_MAX_LEN:-8192}"

# The fuzz targets link the same C libraries as the platform; the stack's servers are not needed.
FB_SETUP_ONLY=libraries scripts/setup.sh >/dev/null
source scripts/env.sh

# A release build: -O keeps Swift's overflow, bounds and unwrap checks (the defects looked for) and
# runs several times faster than a debug one. Both sanitizers go in one flag, because of two
# -sanitize= flags the compiler keeps only the last. `--sanitize fuzzer` is there as well so that
# SwiftPM leaves the executables' entry point to libFuzzer's main (it would point `main` at the
# target's own, which a fuzz target does not have). The flags apply to every module built, the
# main package's libraries included, so coverage guides the fuzzer through the parsers themselves.
log "building the fuzz targets (release, -sanitize=fuzzer,address)"
(cd Fuzz && swift build --build-path "$FB_ROOT/.build-fuzz" -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address 2>&1 \
  | grep -v "ld.gold: warning: Cannot export local symbol" >&2)
BIN="$FB_ROOT/.build-fuzz/release"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/foodbank-fuzz.XXXXXX")
echo "runs per target: $RUNS; max_len $MAX_LEN; $(nproc) cores; work folder $WORK"
printf '%-20s %12s %9s %9s %8s\n' target executions seconds exec/s crashes
failed=0
for target in "${TARGETS[@]}"; do
  [ -x "$BIN/fuzz-$target" ] || die "no fuzz target $target"
  mkdir -p "$WORK/$target/corpus" "$WORK/$target/artifacts"
  seeds=("Fuzz/corpus/$target")
  [ -d "Fuzz/regressions/$target" ] && seeds+=("Fuzz/regressions/$target")
  # The format's own words, so mutations reach past the JSON and CSV syntax into the fields.
  dict=()
  [ -f "Fuzz/dictionaries/$target.dict" ] && dict=(-dict="Fuzz/dictionaries/$target.dict")
  start=$(date +%s.%N)
  # The first folder is the working corpus libFuzzer adds to; the committed seeds stay as they are.
  # Swift's own crash backtracer is off so that libFuzzer's handler sees the trap and saves the input.
  status=0
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" \
    "$BIN/fuzz-$target" -runs="$RUNS" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="$WORK/$target/artifacts/" "$WORK/$target/corpus" "${seeds[@]}" > "$WORK/$target/log" 2>&1 || status=$?
  end=$(date +%s.%N)
  executions=$(grep -oE '^stat::number_of_executed_units: [0-9]+' "$WORK/$target/log" | grep -oE '[0-9]+$' || true)
  [ -n "$executions" ] || executions=$(grep -oE '^#[0-9]+' "$WORK/$target/log" | tail -n1 | tr -d '#' || true)
  crashes=$(find "$WORK/$target/artifacts" -type f | wc -l)
  awk -v t="$target" -v n="${executions:-0}" -v s="$start" -v e="$end" -v c="$crashes" \
    'BEGIN { printf "%-20s %12d %9.1f %9.0f %8d\n", t, n, e - s, n / (e - s), c }'
  if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    failed=1
    grep -E -A1 "^==[0-9]+==ERROR|Fatal error|runtime failure" "$WORK/$target/log" | head -n 6 >&2 || true
    for input in "$WORK/$target/artifacts"/*; do
      [ -f "$input" ] && log "$target crashed; reproduce: SWIFT_BACKTRACE=enable=no $BIN/fuzz-$target $input (log: $WORK/$target/log)"
    done
  fi
done
[ "$failed" -eq 0 ] || die "a fuzz target crashed"
