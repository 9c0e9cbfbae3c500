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
swift test --skip-build "$@"
