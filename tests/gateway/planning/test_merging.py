"""Entity fetches to one subgraph that the plan can run together go out as one request.

An entity fetch nothing waits for is folded into a deeper, independent, compatible fetch to the same
subgraph; a fetch another one waits for, a fetch under other @include/@skip conditions, and mutation
plans are left alone. The number of sequential steps of the plan never grows.
"""

from __future__ import annotations

from pathlib import Path

from graphql import FieldNode, OperationDefinitionNode, parse

from gateway.planning.plan import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    SequenceNode,
)
from tests.gateway.harness import plan_for
from tests.gateway.planning.schemas import BENCHMARK
from tests.gateway.planning.test_benchmark_and_cache import TEST_QUERY
from tests.gateway.sdl import local_graphs, supergraph_v03

# Item lives in a; b adds `note` (one jump from the root) and `info` on Link (two jumps, through c)
CHAIN = supergraph_v03(local_graphs("a", "b", "c"), '''
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  item: Item @join__field(graph: A)
}

type Item @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") @join__type(graph: C, key: "id") {
  id: ID!
  note: String @join__field(graph: B)
  thing: Thing @join__field(graph: B)
  link: Link @join__field(graph: C)
}

type Link @join__type(graph: C, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  info: String @join__field(graph: B)
}

type Thing @join__type(graph: B, key: "id") @join__type(graph: C, key: "id") {
  id: ID!
  label: String @join__field(graph: C)
}
''')


def _flattens(node: PlanNode | None) -> list[FlattenNode]:
    if node is None or isinstance(node, FetchNode):
        return []
    if isinstance(node, FlattenNode):
        return [node]
    if isinstance(node, ConditionNode):
        return _flattens(node.if_clause) + _flattens(node.else_clause)
    return [f for child in node.nodes for f in _flattens(child)]


def _steps(node: PlanNode | None) -> int:
    """The number of sequential requests on the plan's longest path."""
    if node is None:
        return 0
    if isinstance(node, FetchNode | FlattenNode):
        return 1
    if isinstance(node, ConditionNode):
        return max(_steps(node.if_clause), _steps(node.else_clause))
    if isinstance(node, SequenceNode):
        return sum(_steps(n) for n in node.nodes)
    assert isinstance(node, ParallelNode)
    return max(_steps(n) for n in node.nodes)


def test_benchmark_query_sends_inventory_one_request_for_top_and_reviewed_products() -> None:
    plan = plan_for(BENCHMARK, TEST_QUERY)
    inventory = [f for f in _flattens(plan.node) if f.node.service_name == "inventory"]
    assert len(inventory) == 1
    paths = {".".join(p) for p in inventory[0].paths}
    assert "topProducts.@" in paths  # the top products' fetch, folded in
    assert "users.@.reviews.@.product" in paths
    assert plan.fetch_count == 6  # was 7: a, p; r, i; p, a; i
    # root fetches, reviews, products and accounts entities, inventory: still four steps
    assert _steps(plan.node) == 4


def test_a_leaf_entity_fetch_is_folded_into_a_deeper_one_to_the_same_subgraph() -> None:
    plan = plan_for(CHAIN, "{ item { note link { info } } }")
    to_b = [f for f in _flattens(plan.node) if f.node.service_name == "b"]
    assert len(to_b) == 1
    assert [".".join(p) for p in to_b[0].paths] == ["item.link", "item"]
    assert plan.fetch_count == 3
    assert _steps(plan.node) == 3


def test_a_fetch_another_fetch_waits_for_is_not_folded() -> None:
    # b's fetch at `item` gives `thing`, whose `label` c fetches next: folding it later would delay that
    plan = plan_for(CHAIN, "{ item { thing { label } link { info } } }")
    to_b = [f for f in _flattens(plan.node) if f.node.service_name == "b"]
    assert sorted(".".join(p) for f in to_b for p in f.paths) == ["item", "item.link"]
    assert len(to_b) == 2
    assert _steps(plan.node) == 3


def test_fetches_under_different_conditions_are_not_folded() -> None:
    plan = plan_for(CHAIN, "query Q($on: Boolean!) { item { note @include(if: $on) link { info } } }")
    to_b = [f for f in _flattens(plan.node) if f.node.service_name == "b"]
    assert len(to_b) == 2


def test_the_folded_plan_answers_the_same_fields_at_the_same_paths() -> None:
    plan = plan_for(CHAIN, "{ item { note link { info } } }")
    (to_b,) = [f for f in _flattens(plan.node) if f.node.service_name == "b"]
    # both types keep their own fragment, each with only its own fields
    operation = "".join(to_b.node.operation.split())
    assert "...onItem{note}" in operation
    assert "...onLink{info}" in operation


def test_side_by_side_fetches_that_cannot_merge_share_one_request() -> None:
    # eurLabel and usdLabel need `price` with two different arguments: two `_entities` lists, one request
    sdl = (Path(__file__).parents[1] / "differential" / "fixtures" / "r_requires_args" / "supergraph.graphql")
    plan = plan_for(sdl.read_text(encoding="utf-8"), "{ products { eurLabel usdLabel } }")
    assert plan.fetch_count == 2
    assert isinstance(plan.node, SequenceNode)
    parallel = plan.node.nodes[1]
    assert isinstance(parallel, ParallelNode)
    (batch,) = parallel.batches
    assert batch.service_name == "labels"
    assert batch.members == (0, 1)
    op = parse(batch.operation).definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    fields = [f for f in op.selection_set.selections if isinstance(f, FieldNode)]
    assert [f.name.value for f in fields] == ["_entities", "_entities"]
    assert len({f.alias.value for f in fields if f.alias}) == 2
    declared = {v.variable.name.value for v in op.variable_definitions}
    assert declared == set(batch.variables)
    assert len(declared) == 2
