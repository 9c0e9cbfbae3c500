#!/usr/bin/env bash
# Fails when any log under the given folders holds one of the local stack's secrets: the database
# password and the body of the feed account's private key. scripts/test.sh runs it over every log of
# a suite run (the tests' child processes, the test output, the stack's own logs).
# Usage: scripts/check-logs-for-secrets.sh FOLDER...   (exit 1 and the files named, on a leak)
# With --self-check it first proves it finds a secret planted in a scratch log.
set -euo pipefail
cd "$(dirname "$0")/.."
STACK="$PWD/.local/stack"
secrets=()
for file in "$STACK"/secrets/pg_*password; do [ -f "$file" ] && secrets+=("$(cat "$file")"); done
# The key body's lines (not the BEGIN/END armour, which is no secret).
[ -f "$STACK/sftp/client_ed25519" ] && while read -r line; do secrets+=("$line"); done < <(grep -v -- '-----' "$STACK/sftp/client_ed25519")
[ "${#secrets[@]}" -gt 0 ] || { echo "check-logs-for-secrets: no stack secrets found under $STACK (is the stack set up?)" >&2; exit 2; }
patterns=$(mktemp); trap 'rm -f "$patterns"' EXIT
printf '%s\n' "${secrets[@]}" > "$patterns"

# grep's 1 is "no match"; anything above (a folder that is not there, an unreadable file) would make
# the search prove nothing, so it fails the check.
leaks() {
  local status=0
  grep -rlF -f "$patterns" -- "$@" || status=$?
  [ "$status" -le 1 ] || { echo "check-logs-for-secrets: could not search $* (grep exit $status)" >&2; exit 2; }
}

if [ "${1:-}" = "--self-check" ]; then
  shift
  canary=$(mktemp -d)
  echo "connecting to postgresql://foodbank:${secrets[0]}@127.0.0.1/reporting" > "$canary/planted.log"
  [ -n "$(leaks "$canary")" ] || { echo "check-logs-for-secrets: the self-check did not find a planted secret" >&2; rm -rf "$canary"; exit 2; }
  rm -rf "$canary"
fi
found=$(leaks "$@")
if [ -n "$found" ]; then
  echo "check-logs-for-secrets: a stack secret appears in these logs:" >&2
  echo "$found" >&2
  exit 1
fi
echo "check-logs-for-secrets: ${#secrets[@]} secrets, none in $(find "$@" -type f | wc -l) log files under $# folders"
