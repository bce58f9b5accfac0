#!/usr/bin/env bash
# `make bench`: every benchmark under bench/, each printing ratios against a reference run in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for b in bench/bench_*.py; do
  [ -e "$b" ] || continue
  echo "== $b"
  .venv/bin/python scripts/throwaway_pg.py .venv/bin/python "$b" || status=1
done
exit $status
