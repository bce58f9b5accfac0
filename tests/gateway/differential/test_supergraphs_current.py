"""The committed supergraph of every fixture is what the reference composer makes of its subgraphs today."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .fixtures import Fixture, all_fixtures
from .reference import compose_many_with_reference, compose_with_reference

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def recomposed(reference_packages: Path) -> dict[str, dict[str, Any]]:
    fixtures = all_fixtures()
    results = compose_many_with_reference([f.composition_input() for f in fixtures])
    return {f.name: r for f, r in zip(fixtures, results, strict=True)}


@pytest.mark.parametrize("fixture", all_fixtures(), ids=lambda f: f.name)
def test_committed_supergraph_is_current(fixture: Fixture, recomposed: dict[str, dict[str, Any]]) -> None:
    result = recomposed[fixture.name]
    assert "supergraph" in result, f"{fixture.name} no longer composes: {result.get('errors')}"
    committed = fixture.supergraph_path.read_text(encoding="utf-8")
    assert result["supergraph"] == committed, (
        f"{fixture.name}/supergraph.graphql is stale: run `python -m tests.gateway.differential.recompose "
        f"{fixture.name}` from the repository root"
    )


def test_composition_errors_are_reported(reference_packages: Path) -> None:
    """Two subgraphs that both resolve a non-shareable field cannot compose: the helper returns the errors."""
    sdl = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'
        "type Query { hello: String }\n"
    )
    result = compose_with_reference([("a", "http://a.invalid/graphql", sdl), ("b", "http://b.invalid/graphql", sdl)])
    assert "supergraph" not in result
    codes = {e["code"] for e in result["errors"]}
    assert "INVALID_FIELD_SHARING" in codes, result
