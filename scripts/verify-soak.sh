#!/usr/bin/env bash
# Randomized histories of all six sources through the real chain, against the oracle, for long runs:
# each history gets databases, topics, groups and an inbox folder of its own, consumers are SIGKILLed
# while it is written (some histories run two instances per group, every other one has a source
# database snapshotted again), and once the chain is quiet
# foodbank-ctl verify must find no difference. Every history takes any edge the contract allows,
# and every history must match.
# Usage: scripts/verify-soak.sh [histories] [steps per history] [seed]
# Prints each history, then the totals: histories, steps, source actions, kills, re-snapshots, differences.
set -euo pipefail
cd "$(dirname "$0")/.."
HISTORIES="${1:-20}"
STEPS="${2:-300}"
SEED="${3:-$(( (RANDOM << 15) | RANDOM ))}"
scripts/setup.sh >/dev/null
source scripts/env.sh
start_local_stack
[ "$FB_STACK_STARTED" -eq 1 ] && trap 'scripts/stack.sh stop' EXIT
swift build --build-tests >/tmp/verify-soak-build.log 2>&1 || { grep -E "error" /tmp/verify-soak-build.log; exit 1; }
log=$(mktemp)
echo "seed $SEED: $HISTORIES histories of up to $STEPS steps"
FOODBANK_HISTORIES="$HISTORIES" FOODBANK_HISTORY_STEPS="$STEPS" FOODBANK_HISTORY_SEED="$SEED" \
  swift test --skip-build --filter 'OracleHistories' >"$log" 2>&1 || status=$?
grep '^history seed=' "$log" || true
awk '/^history seed=/ {
       for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       n++; steps += v["steps"]; actions += v["actions"]; kills += v["kills"]; resnap += v["resnapshots"]; diff += v["differences"]
       if (v["instances"] > 1) { two++; twoDiff += v["differences"] }
     }
     END { printf "histories %d, steps %d, source actions %d, kills %d, re-snapshots %d, differences %d (in the %d histories with two instances: %d)\n",
                  n, steps, actions, kills, resnap, diff, two, twoDiff }' "$log"
grep -E '✘|recorded an issue' "$log" | head -20 || true
echo "full log: $log"
exit "${status:-0}"
