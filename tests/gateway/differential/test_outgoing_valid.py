"""Every operation the gateway would send to a subgraph is valid against that subgraph's own schema.

For each differential fixture, random client operations are drawn over the supergraph's API schema
(those the API schema rejects are skipped, as a client would get a validation error and nothing would be
sent), planned, and every fetch of the plan is validated with graphql-core against the schema built from
the subgraph's SDL file — not from anything the gateway derived. A planner that forgets to alias fields
whose types differ between the members of an abstract type in one subgraph, or that spreads a fragment on a
type the subgraph's union does not have, fails here with the subgraph's own validation message.

The fixtures' own case queries are checked the same way, deterministically.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest
from graphql import DocumentNode, GraphQLSchema, ValueNode, parse, print_ast, validate
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from gateway.errors import PlanningError
from gateway.planning.plan import ConditionNode, FetchNode, FlattenNode, PlanNode
from gateway.planning.planner import plan_operation
from gateway.supergraph.loader import load_supergraph
from gateway.supergraph.model import Supergraph

from .federation_sdl import build_subgraph_schema
from .fixtures import Fixture, all_fixtures

EXAMPLES = 40  # per fixture; planning is in-process, so this is cheap


def _fetches(node: PlanNode | None) -> Iterator[FetchNode]:
    if node is None:
        return
    if isinstance(node, FetchNode):
        yield node
    elif isinstance(node, FlattenNode):
        yield node.node
    elif isinstance(node, ConditionNode):
        yield from _fetches(node.if_clause)
        yield from _fetches(node.else_clause)
    else:
        for child in node.nodes:
            yield from _fetches(child)


@cache
def _supergraph(name: str) -> Supergraph:
    fixture = _fixture(name)
    return load_supergraph(fixture.supergraph_path.read_text(encoding="utf-8"))


@cache
def _subgraph_schemas(name: str) -> dict[str, GraphQLSchema]:
    return {s.name: build_subgraph_schema(s.sdl).schema for s in _fixture(name).subgraphs}


def _fixture(name: str) -> Fixture:
    return next(f for f in all_fixtures() if f.name == name)


def outgoing_problems(fixture_name: str, document: DocumentNode, operation_name: str | None = None) -> list[str]:
    """Plan ``document`` and return one line per fetch the subgraph would reject (empty: all valid)."""
    supergraph = _supergraph(fixture_name)
    schemas = _subgraph_schemas(fixture_name)
    try:
        prepared = plan_operation(supergraph, document, operation_name)
    except PlanningError as exc:
        return [f"no plan: {exc}"]
    problems: list[str] = []
    for fetch in _fetches(prepared.plan.node):
        schema = schemas.get(fetch.service_name)
        assert schema is not None, f"plan fetches from {fetch.service_name!r}, none of the fixture's subgraphs"
        errors = validate(schema, parse(fetch.operation))
        problems.extend(f"{fetch.service_name} rejects: {e.message}\n{fetch.operation}" for e in errors)
    return problems


FIXTURE_NAMES = [f.name for f in all_fixtures()]
NO_PLAN = "no plan: "


@cache
def _has_unplannable_cases(fixture_name: str) -> bool:
    """The fixture documents operations with no plan: a case that expects errors, validates against the API
    schema and cannot be planned (a supergraph whose subgraphs cannot answer some selection for every type).
    Random operations over it may then hit the same selections; nothing is sent for them."""
    supergraph = _supergraph(fixture_name)
    for case in _fixture(fixture_name).cases:
        document = parse(case.query)
        if case.expect_errors and not validate(supergraph.api_schema, document):
            try:
                plan_operation(supergraph, document, case.operation_name)
            except PlanningError:
                return True
    return False


@pytest.mark.parametrize("fixture_name", [f.name for f in all_fixtures() if f.cases])
def test_case_queries_send_only_valid_operations(fixture_name: str) -> None:
    supergraph = _supergraph(fixture_name)
    failures: list[str] = []
    for case in _fixture(fixture_name).cases:
        document = parse(case.query)
        if validate(supergraph.api_schema, document):
            continue  # the case is about a client error: nothing is sent
        problems = outgoing_problems(fixture_name, document, case.operation_name)
        if case.expect_errors:
            problems = [p for p in problems if not p.startswith(NO_PLAN)]  # the case says there is no plan
        failures.extend(f"{case.name}: {p}" for p in problems)
    assert not failures, "\n".join(failures)


def _custom_scalars(schema: GraphQLSchema) -> dict[str, st.SearchStrategy[ValueNode]]:
    builtin = {"String", "Int", "Float", "Boolean", "ID"}
    names = [n for n, t in schema.type_map.items()
             if not n.startswith("__") and n not in builtin and type(t).__name__ == "GraphQLScalarType"]
    strings: st.SearchStrategy[ValueNode] = st.from_regex(r"\A[a-z0-9]{1,6}\Z").map(nodes.String)
    return dict.fromkeys(names, strings)


@pytest.mark.parametrize("fixture_name", FIXTURE_NAMES)
def test_random_operations_send_only_valid_operations(fixture_name: str) -> None:
    api = _supergraph(fixture_name).api_schema
    strategy = queries(api, custom_scalars=_custom_scalars(api), allow_x00=False, print_ast=lambda d: d)

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
    @given(document=strategy)
    def check(document: DocumentNode) -> None:
        assume(not validate(api, document))
        problems = outgoing_problems(fixture_name, document)
        if _has_unplannable_cases(fixture_name):
            problems = [p for p in problems if not p.startswith(NO_PLAN)]
        assert not problems, f"for the client operation\n{print_ast(document)}\n" + "\n".join(problems)

    check()
