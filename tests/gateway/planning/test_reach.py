"""Ways in from where a field is asked: climbing to an ancestor, re-entering the query root, usable keys."""

from __future__ import annotations

import pytest

from gateway.errors import PlanningError
from gateway.planning.plan import ConditionNode, FetchNode, FlattenNode, PlanNode
from tests.gateway.harness import plan_for
from tests.gateway.sdl import local_graphs, supergraph_v03

# Receipt is a value type (no key) that a and b both know; only b has Receipt.note.
RECEIPTS = supergraph_v03(local_graphs("a", "b"), '''
type Query @join__type(graph: A) @join__type(graph: B) {
  receipt: Receipt @join__field(graph: A) @join__field(graph: B)
}

type Mutation @join__type(graph: A) {
  stamp: Receipt @join__field(graph: A)
}

type Receipt @join__type(graph: A) @join__type(graph: B) {
  id: ID!
  total: Int @join__field(graph: A)
  note: String @join__field(graph: B)
}
''', mutation=True)

# Token is known to a by no key it can build (b's only key is the field b alone has).
CYCLE = supergraph_v03(local_graphs("a", "b"), '''
type Query @join__type(graph: A) @join__type(graph: B) {
  token: Token @join__field(graph: A)
}

type Token @join__type(graph: A) @join__type(graph: B, key: "serial") {
  label: String @join__field(graph: A)
  serial: String @join__field(graph: B)
  owner: String @join__field(graph: B)
}
''')


def _fetches(node: PlanNode | None) -> list[FetchNode]:
    if node is None:
        return []
    if isinstance(node, FetchNode):
        return [node]
    if isinstance(node, FlattenNode):
        return [node.node]
    if isinstance(node, ConditionNode):
        return _fetches(node.if_clause) + _fetches(node.else_clause)
    return [f for child in node.nodes for f in _fetches(child)]


def test_a_shared_query_root_field_is_read_from_each_subgraph_that_has_a_part() -> None:
    plan = plan_for(RECEIPTS, "{ receipt { id total note } }")
    fetches = {f.service_name: f.operation for f in _fetches(plan.node)}
    assert sorted(fetches) == ["a", "b"]
    assert "total" in fetches["a"]
    assert "note" not in fetches["a"]
    assert "note" in fetches["b"]
    assert "total" not in fetches["b"]


def test_a_mutation_field_is_never_sent_twice_to_reach_a_missing_part() -> None:
    with pytest.raises(PlanningError, match=r"Receipt\.note"):
        plan_for(RECEIPTS, "mutation { stamp { id note } }")


def test_a_key_that_holds_the_missing_field_is_still_reported_as_a_cycle() -> None:
    with pytest.raises(PlanningError, match=r"Token\.(owner|serial)"):
        plan_for(CYCLE, "{ token { label owner } }")
