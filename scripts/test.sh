#!/usr/bin/env bash
# `make test`: the whole suite, with a throwaway PostgreSQL server when one can be had (always in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/throwaway_pg.py .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
