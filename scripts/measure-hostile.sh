#!/usr/bin/env bash
# Times every case of tests/hostile/ with the native CLI (wall time and peak memory): each
# must end within a second with an error or a bounded result. A second argument names another
# election-cli binary to compare with (e.g. one built from an older commit).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --profile bench-cli -p election-cli
cli=target/bench-cli/election-cli
other=${1:-}
printf '%-40s %12s %12s\n' case "this build" "${other:+other build}"
for f in tests/hostile/*.txt; do
  this=$( { /usr/bin/time -f '%e s %M KB' timeout 60 "$cli" run "$f" >/dev/null; } 2>&1 | tail -1)
  that=""
  if [ -n "$other" ]; then
    that=$( { /usr/bin/time -f '%e s %M KB' timeout 60 "$other" run "$f" >/dev/null || echo "(stopped at 60 s)"; } 2>&1 | tail -1)
  fi
  printf '%-40s %20s   %s\n' "$(basename "$f")" "$this" "$that"
done
