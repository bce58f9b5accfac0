"""Fields that cannot share a response key in a subgraph's own schema are aliased, and only those."""

from __future__ import annotations

from graphql import parse

from gateway.planning.plan import FetchNode, FlattenNode, PlanNode, Rename
from gateway.planning.planner import plan_operation
from gateway.supergraph.loader import load_supergraph
from tests.gateway.harness import assert_plan, plan_for
from tests.gateway.sdl import local_graphs, supergraph_v03

# In A, Book.code is String! and Film.code String (the supergraph: String for both); Book.size and
# Film.size are Int everywhere. B types Book.price Float! and Film.price Float. Thing.note is String
# and Lamp.note String! in A.
SUPERGRAPH = supergraph_v03(local_graphs("a", "b"), '''
type Query @join__type(graph: A) @join__type(graph: B) {
  items: [Item] @join__field(graph: A)
  things: [Thing] @join__field(graph: A)
}

union Item @join__type(graph: A) @join__unionMember(graph: A, member: "Book")
  @join__unionMember(graph: A, member: "Film") = Book | Film

type Book @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  code: String @join__field(graph: A, type: "String!") @join__field(graph: B, type: "String")
  size: Int @join__field(graph: A)
  price: Float @join__field(graph: B, type: "Float!")
}

type Film @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  code: String @join__field(graph: A)
  size: Int @join__field(graph: A)
  price: Float @join__field(graph: B)
}

interface Thing @join__type(graph: A) {
  id: ID!
  note: String
}

type Lamp implements Thing @join__type(graph: A, key: "id") @join__implements(graph: A, interface: "Thing") {
  id: ID!
  note: String @join__field(graph: A, type: "String!")
}

type Chair implements Thing @join__type(graph: A, key: "id") @join__implements(graph: A, interface: "Thing") {
  id: ID!
  note: String
}
''')


def _fetches(node: PlanNode | None) -> list[FetchNode]:
    if node is None:
        return []
    if isinstance(node, FetchNode):
        return [node]
    if isinstance(node, FlattenNode):
        return [node.node]
    return [f for child in getattr(node, "nodes", ()) for f in _fetches(child)]


def test_only_the_conflicting_field_is_aliased() -> None:
    assert_plan(SUPERGRAPH, "{ items { ... on Book { code size } ... on Film { code size } } }", '''
        QueryPlan {
          Fetch(service: "a") {
            {
              items {
                __typename
                ... on Book {
                  code
                  size
                }
                ... on Film {
                  code__1: code
                  size
                }
              }
            }
          },
        }''')
    (fetch,) = _fetches(plan_for(SUPERGRAPH, "{ items { ... on Book { code size } ... on Film { code size } } }").node)
    assert fetch.renames == Rename((), (("items", Rename((("code__1", "code"),))),))


def test_nothing_conflicts_no_renames() -> None:
    plan = plan_for(SUPERGRAPH, "{ items { ... on Book { size code } ... on Film { size } } }")
    assert all(f.renames is None for f in _fetches(plan.node))


def test_a_client_alias_is_the_key_put_back() -> None:
    plan = plan_for(SUPERGRAPH, "{ items { ... on Book { c: code } ... on Film { c: code } } }")
    (fetch,) = _fetches(plan.node)
    assert "...on Film{c__1:code}" in fetch.operation.replace("... on", "...on")
    assert fetch.renames == Rename((), (("items", Rename((("c__1", "c"),))),))


def test_entity_fetch_members_are_one_selection_set() -> None:
    plan = plan_for(SUPERGRAPH, "{ items { ... on Book { price } ... on Film { price } } }")
    root, entities = _fetches(plan.node)
    assert root.renames is None
    assert entities.service_name == "b"
    assert "...on Book{price} ...on Film{price__1:price}" in entities.operation
    assert entities.renames == Rename((("price__1", "price"),))


def test_interface_field_and_member_field_both_apply() -> None:
    plan = plan_for(SUPERGRAPH, "{ things { note ... on Lamp { note } ... on Chair { note } } }")
    (fetch,) = _fetches(plan.node)
    # Thing.note (String) and Lamp.note (String!) conflict; Chair.note (String) merges with Thing.note
    assert "things{__typename note ... on Lamp{note__1:note} ... on Chair{note}}" in fetch.operation


def test_alias_never_takes_a_key_in_use() -> None:
    supergraph = load_supergraph(SUPERGRAPH)
    query = "{ items { ... on Book { code } ... on Film { code code__1: size } } }"
    fetch, = _fetches(plan_operation(supergraph, parse(query)).plan.node)
    assert "code__1:size" in fetch.operation
    assert "code__2:code" in fetch.operation
