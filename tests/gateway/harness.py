"""Plan-test harness: a supergraph SDL, a query and the plan text a correct planner must produce."""

from __future__ import annotations

import textwrap

from graphql import parse, validate

from gateway.planning.plan import QueryPlan, format_plan
from gateway.planning.planner import plan_operation
from gateway.supergraph.loader import load_supergraph


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in textwrap.dedent(text).strip().splitlines())


def plan_for(supergraph_sdl: str, query: str, operation_name: str | None = None) -> QueryPlan:
    supergraph = load_supergraph(supergraph_sdl)
    document = parse(query)
    errors = validate(supergraph.api_schema, document)
    assert not errors, errors
    return plan_operation(supergraph, document, operation_name).plan


def assert_plan(supergraph_sdl: str, query: str, expected_plan_text: str, operation_name: str | None = None) -> None:
    """Assert the formatted plan equals ``expected_plan_text`` (indentation-insensitive at the margin)."""
    actual = _normalise(format_plan(plan_for(supergraph_sdl, query, operation_name)))
    expected = _normalise(expected_plan_text)
    assert actual == expected, f"plan differs:\n--- actual ---\n{actual}\n--- expected ---\n{expected}"
