"""Every operation planned for a differential fixture's cases validates against its subgraph's own schema."""

from __future__ import annotations

from functools import cache

import pytest
from graphql import GraphQLSchema, parse, validate

from gateway.errors import PlanningError
from gateway.planning.plan import FetchNode, FlattenNode, PlanNode
from gateway.planning.planner import plan_operation
from gateway.supergraph.loader import load_supergraph
from gateway.supergraph.model import Supergraph
from tests.gateway.differential.federation_sdl import build_subgraph_schema
from tests.gateway.differential.fixtures import Case, all_cases, all_fixtures


def _fetches(node: PlanNode | None) -> list[FetchNode]:
    if node is None:
        return []
    if isinstance(node, FetchNode):
        return [node]
    if isinstance(node, FlattenNode):
        return [node.node]
    branches = [getattr(node, "if_clause", None), getattr(node, "else_clause", None)]
    return [f for child in (*getattr(node, "nodes", ()), *branches) for f in _fetches(child)]


@cache
def _fixture(name: str) -> tuple[Supergraph, dict[str, GraphQLSchema]]:
    fixture = next(f for f in all_fixtures() if f.name == name)
    supergraph = load_supergraph(fixture.supergraph_path.read_text(encoding="utf-8"))
    return supergraph, {s.name: build_subgraph_schema(s.sdl).schema for s in fixture.subgraphs}


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: c.id)
def test_every_fetch_validates_in_its_subgraph(case: Case) -> None:
    supergraph, schemas = _fixture(case.fixture)
    document = parse(case.query)
    if validate(supergraph.api_schema, document):
        pytest.skip("the client's operation is invalid by design")
    try:
        plan = plan_operation(supergraph, document, case.operation_name).plan
    except PlanningError as exc:
        pytest.skip(f"not planned: {exc}")
    for fetch in _fetches(plan.node):
        errors = validate(schemas[fetch.service_name], parse(fetch.operation))
        assert not errors, f"{fetch.service_name} rejects {fetch.operation}: {errors}"
