"""schema/supergraph.graphql is what `hub compose` makes of the hub's own subgraphs: a test fails when
it is stale, and every subgraph `hub up` starts is in the composition."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

from hub.compose import compose_command
from subgraphs.registry import SUBGRAPHS

SCHEMA = Path(__file__).resolve().parents[2] / "schema"


def test_committed_supergraph_is_current(tmp_path: Path) -> None:
    out = tmp_path / "supergraph.graphql"
    err = io.StringIO()
    assert compose_command(SCHEMA / "compose.toml", out, out=io.StringIO(), err=err) == 0, err.getvalue()
    assert out.read_text(encoding="utf-8") == (SCHEMA / "supergraph.graphql").read_text(encoding="utf-8"), (
        "schema/supergraph.graphql is stale: run `hub compose`")


def test_every_served_subgraph_is_composed() -> None:
    config = tomllib.loads((SCHEMA / "compose.toml").read_text(encoding="utf-8"))
    composed = {entry["name"] for entry in config["compose"]["subgraphs"]}
    assert set(SUBGRAPHS) <= composed
