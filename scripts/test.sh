#!/usr/bin/env bash
# `make test`: the whole suite, with a throwaway PostgreSQL server when one can be had (always in CI),
# and Chromium for the browser tests (installed in CI, see scripts/browser_deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/browser_deps.sh
exec .venv/bin/python scripts/throwaway_pg.py .venv/bin/python -m pytest -n 2 --dist loadfile --durations=40 "$@"
