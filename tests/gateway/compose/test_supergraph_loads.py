"""Property: every supergraph `hub compose` writes parses and loads in `hub gateway` and in @apollo/gateway.

The inputs are the composition corpus and, as cheap variations, every set of issue 23's gap fixtures with
one subgraph left out (a department leaving the federation); whatever our composer accepts among them must
load in both gateways. Identical supergraphs are loaded once.
"""

from __future__ import annotations

import pytest
from graphql import parse

from gateway.compose import SubgraphSource, compose
from gateway.planning.plan import FetchNode
from gateway.supergraph.loader import load_supergraph
from tests.gateway.compose.corpus import corpus
from tests.gateway.compose.corpus_gaps import GAP_CASES
from tests.gateway.differential.reference import (
    ReferenceUnavailable,
    ensure_installed,
    load_with_apollo_gateway,
    skip_or_fail,
)
from tests.gateway.harness import plan_for

Subgraphs = list[tuple[str, str, str]]


def _variations() -> dict[str, Subgraphs]:
    cases = corpus()
    out = dict(cases)
    for name, subgraphs in cases.items():
        if len(subgraphs) < 2 or name not in GAP_CASES:
            continue
        for i, (left_out, _, _) in enumerate(subgraphs):
            out[f"{name}-without-{left_out}"] = subgraphs[:i] + subgraphs[i + 1:]
    return out


@pytest.fixture(scope="module")
def written() -> dict[str, str]:
    """The supergraph SDL ours writes for every input it accepts (one name per distinct SDL)."""
    result: dict[str, str] = {}
    for name, subgraphs in _variations().items():
        sdl = compose([SubgraphSource(*s) for s in subgraphs]).supergraph_sdl
        if sdl is not None and sdl not in result.values():
            result[name] = sdl
    return result


def test_many_supergraphs_are_written(written: dict[str, str]) -> None:
    assert len(written) >= 100


def test_every_written_supergraph_loads_in_hub_gateway(written: dict[str, str]) -> None:
    failures = {}
    for name, sdl in written.items():
        try:
            parse(sdl)
            supergraph = load_supergraph(sdl)
            assert supergraph.api_schema.query_type is not None, "no query type"
        except Exception as exc:  # every failure is reported with its case
            failures[name] = f"{type(exc).__name__}: {exc}"
    assert not failures, failures


@pytest.mark.node
def test_every_written_supergraph_loads_in_apollo_gateway(written: dict[str, str]) -> None:
    try:
        ensure_installed()
    except ReferenceUnavailable as exc:
        skip_or_fail(str(exc))
    names = sorted(written)
    answers = load_with_apollo_gateway([written[n] for n in names])
    failures = {n: a.get("error") for n, a in zip(names, answers, strict=True) if not a.get("ok")}
    assert not failures, failures


def _services(node: object) -> list[str]:
    """The subgraphs a plan fetches from, in plan order."""
    if isinstance(node, FetchNode):
        return [node.service_name]
    found: list[str] = []
    for attr in ("node", "nodes", "if_clause", "else_clause"):
        child = getattr(node, attr, None)
        for item in child if isinstance(child, list | tuple) else [child] if child is not None else []:
            found.extend(_services(item))
    return found


@pytest.mark.parametrize(("case", "query", "services"), [
    # gap 5: an interface with no implementation anywhere, extended by an @interfaceObject: the interface's
    # subgraph lists the objects, the interface object's subgraph adds its field through the key
    ("v_gap5_interface_object_no_implementation", "{ media { id title rating } }", ["media", "ratings"]),
    ("v_gap5_interface_object_root_no_implementation", "{ top { rating title } }", ["ratings", "media"]),
])
def test_interface_object_without_implementation_plans_through_both(case: str, query: str,
                                                                    services: list[str]) -> None:
    sdl = compose([SubgraphSource(*s) for s in corpus()[case]]).supergraph_sdl
    assert sdl is not None
    plan = plan_for(sdl, query)
    assert _services(plan.node) == services
