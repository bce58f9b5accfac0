"""Recompose every fixture's committed supergraph with the reference composer.

Run from the repository root: `python -m tests.gateway.differential.recompose [fixture ...]`.
"""

from __future__ import annotations

import sys

from .fixtures import all_fixtures
from .reference import compose_many_with_reference


def main(argv: list[str]) -> int:
    failed = 0
    chosen = [f for f in all_fixtures() if not argv or f.name in argv]
    results = compose_many_with_reference([f.composition_input() for f in chosen])
    for fixture, result in zip(chosen, results, strict=True):
        if "supergraph" not in result:
            failed += 1
            print(f"{fixture.name}: composition failed: {result.get('errors')}", file=sys.stderr)
            continue
        fixture.supergraph_path.write_text(result["supergraph"], encoding="utf-8")
        print(f"{fixture.name}: wrote {fixture.supergraph_path.name}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
