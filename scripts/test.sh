#!/usr/bin/env bash
# The test command: sets up what a fresh machine lacks, starts the local stack (stopping it again
# afterwards if this script started it), builds, provisions, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

started_stack=0
if ! scripts/stack.sh status | grep -q "^kafka *up"; then started_stack=1; fi
scripts/stack.sh start
[ $started_stack -eq 1 ] && trap 'scripts/stack.sh stop' EXIT
set -a; . "$FB_STATE/stack/env"; set +a

swift build --build-tests
BIN=$(swift build --show-bin-path)
"$BIN/foodbank-ctl" migrate
"$BIN/foodbank-ctl" topics apply --replication-factor 1 >/dev/null
swift test --skip-build "$@"
