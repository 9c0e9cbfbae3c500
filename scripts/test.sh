#!/usr/bin/env bash
# The test command: sets up what a fresh machine lacks, starts the local stack (stopping it again
# afterwards if this script started it), builds, provisions, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

start_local_stack
[ "$FB_STACK_STARTED" -eq 1 ] && trap 'scripts/stack.sh stop' EXIT

swift build --build-tests
BIN=$(swift build --show-bin-path)
"$BIN/foodbank-ctl" migrate
"$BIN/foodbank-ctl" topics apply --replication-factor 1 >/dev/null
# Every log of the run in one folder (the tests write their child processes' logs to TMPDIR), so that
# afterwards no stack secret may appear in any of them, whatever the suite's outcome.
SUITE_LOGS=$(mktemp -d "${TMPDIR:-/tmp}/foodbank-suite.XXXXXX")
status=0
TMPDIR="$SUITE_LOGS" swift test --skip-build "$@" 2>&1 | tee "$SUITE_LOGS/swift-test.log" || status=$?
scripts/check-logs-for-secrets.sh --self-check "$SUITE_LOGS" "$PWD/.local/stack/logs" || status=1
exit "$status"
