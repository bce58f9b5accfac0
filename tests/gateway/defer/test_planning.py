"""The planner's split of a deferred operation into waves of fetches (no HTTP)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, validate

from gateway.planning.defer import IncrementalSplit
from gateway.planning.plan import FetchNode, FlattenNode, PlanNode
from gateway.planning.planner import plan_operation
from gateway.supergraph.loader import load_supergraph
from tests.gateway.differential.fixtures import FIXTURES_DIR


@pytest.fixture(scope="module")
def supergraphs() -> dict[str, Any]:
    return {name: load_supergraph((FIXTURES_DIR / name / "supergraph.graphql").read_text(encoding="utf-8"))
            for name in ("d_across", "d_nested")}


def _split(supergraph: Any, query: str, variables: dict[str, Any] | None = None) -> IncrementalSplit | None:
    document = parse(query)
    assert not validate(supergraph.api_schema, document)
    prepared = plan_operation(supergraph, document)
    if prepared.incremental is None:
        return None
    return prepared.incremental.split(variables or {})


def _fetches(node: PlanNode | None) -> list[FetchNode]:
    if node is None:
        return []
    if isinstance(node, FetchNode):
        return [node]
    if isinstance(node, FlattenNode):
        return [node.node]
    out: list[FetchNode] = []
    for child in getattr(node, "nodes", ()):
        out += _fetches(child)
    for branch in (getattr(node, "if_clause", None), getattr(node, "else_clause", None)):
        out += _fetches(branch)
    return out


def _by_wave(split: IncrementalSplit) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for f in _fetches(split.plan.node):
        out.setdefault(split.waves[id(f)], []).append(f.service_name)
    return {w: sorted(s) for w, s in sorted(out.items())}


def test_fragment_from_another_subgraph_is_its_own_wave(supergraphs: dict[str, Any]) -> None:
    split = _split(supergraphs["d_across"], '{ case(id: "c1") { id title ... @defer(label: "o") { owner { name } } } }')
    assert split is not None
    assert _by_wave(split) == {0: ["cases"], 1: ["people"]}
    (frag,) = split.fragments
    assert (frag.label, frag.path, frag.wave, frag.keys) == ("o", ("case",), 1, frozenset({"owner"}))


def test_fragment_of_the_same_fetch_costs_no_extra_fetch(supergraphs: dict[str, Any]) -> None:
    split = _split(supergraphs["d_across"], '{ case(id: "c1") { id ... @defer { status priority } } }')
    assert split is not None
    assert _by_wave(split) == {0: ["cases"]}
    assert split.last_wave == 1
    assert len(split.fragments) == 1


def test_deferred_root_field_of_the_same_subgraph_shares_the_root_fetch(supergraphs: dict[str, Any]) -> None:
    split = _split(supergraphs["d_across"], '{ cases { id } ... @defer { case(id: "c3") { title } } }')
    assert split is not None
    assert _by_wave(split) == {0: ["cases"]}
    assert split.fragments[0].path == ()


def test_nested_defers_get_deeper_waves(supergraphs: dict[str, Any]) -> None:
    split = _split(supergraphs["d_nested"], "{ orders { number customer { id ... @defer(label: \"a\") "
                                             "{ name ... @defer(label: \"b\") { balance } } } } }")
    assert split is not None
    assert _by_wave(split) == {0: ["shop"], 1: ["crm"], 2: ["ledger"]}
    a, b = split.fragments
    assert (a.label, a.wave, a.parent, b.label, b.wave, b.parent) == ("a", 1, 0, "b", 2, a.id)
    assert a.path == b.path == ("orders", "customer")


def test_a_fetch_the_initial_payload_needs_stays_in_wave_zero(supergraphs: dict[str, Any]) -> None:
    # name is asked both plainly and deferred: crm is fetched for the first payload, and the fragment is cut
    # from what is there
    split = _split(supergraphs["d_nested"], "{ orders { customer { name ... @defer { name tier } } } }")
    assert split is not None
    assert _by_wave(split) == {0: ["crm", "shop"]}


def test_if_false_and_if_variable(supergraphs: dict[str, Any]) -> None:
    sg = supergraphs["d_across"]
    off = _split(sg, '{ case(id: "c1") { title ... @defer(if: false) { owner { name } } } }')
    assert off is not None
    assert not off.incremental
    query = 'query($d: Boolean!) { case(id: "c1") { title ... @defer(if: $d) { owner { name } } } }'
    on, off2 = _split(sg, query, {"d": True}), _split(sg, query, {"d": False})
    assert on is not None
    assert off2 is not None
    assert on.incremental
    assert not off2.incremental
    assert _by_wave(on) == {0: ["cases"], 1: ["people"]}
    assert _by_wave(off2) == {0: ["cases", "people"]}


def test_stream_on_a_root_list(supergraphs: dict[str, Any]) -> None:
    split = _split(supergraphs["d_across"], '{ cases @stream(initialCount: 1, label: "s") { id } }')
    assert split is not None
    assert [(s.key, s.initial_count, s.label) for s in split.streams] == [("cases", 1, "s")]
    assert split.last_wave == 1


def test_operation_without_incremental_directives_has_no_split(supergraphs: dict[str, Any]) -> None:
    assert _split(supergraphs["d_across"], '{ case(id: "c1") { title owner { name } } }') is None
