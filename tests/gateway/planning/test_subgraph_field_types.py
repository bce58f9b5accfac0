"""Selections below a field are planned on the type the subgraph itself gives the field."""

from __future__ import annotations

from graphql import build_schema, parse, validate

from tests.gateway.harness import assert_plan, plan_for
from tests.gateway.sdl import local_graphs, supergraph_v03

# The reference composer keeps the first subgraph's type of a shared field when the others' are wider:
# Post.cover is Photo in the supergraph and in A, but B declares it as its union Media (Photo | Clip).
# Post.pin is the interface Node in the supergraph and in B (Photo, Clip), but A declares it as Photo.
SUPERGRAPH = supergraph_v03(local_graphs("a", "b"), '''
type Query @join__type(graph: A) @join__type(graph: B) {
  fromA: Post @join__field(graph: A)
  fromB: Post @join__field(graph: B)
}

type Post @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  cover: Photo @join__field(graph: A, type: "Photo") @join__field(graph: B, type: "Media")
  pin: Node @join__field(graph: A, type: "Photo") @join__field(graph: B, type: "Node")
}

interface Node @join__type(graph: A) @join__type(graph: B) {
  id: ID!
}

union Media @join__type(graph: B) @join__unionMember(graph: B, member: "Photo")
  @join__unionMember(graph: B, member: "Clip") = Photo | Clip

type Photo implements Node @join__type(graph: A, key: "id") @join__type(graph: B, key: "id")
  @join__implements(graph: A, interface: "Node") @join__implements(graph: B, interface: "Node") {
  id: ID!
  url: String @join__field(graph: A) @join__field(graph: B)
}

type Clip implements Node @join__type(graph: A, key: "id") @join__type(graph: B, key: "id")
  @join__implements(graph: A, interface: "Node") @join__implements(graph: B, interface: "Node") {
  id: ID!
  seconds: Int @join__field(graph: A) @join__field(graph: B)
}
''')

SUBGRAPH_A = '''
type Query { fromA: Post }
interface Node { id: ID! }
type Post { id: ID! cover: Photo pin: Photo }
type Photo implements Node { id: ID! url: String }
type Clip implements Node { id: ID! seconds: Int }
'''

SUBGRAPH_B = '''
type Query { fromB: Post }
interface Node { id: ID! }
union Media = Photo | Clip
type Post { id: ID! cover: Media pin: Node }
type Photo implements Node { id: ID! url: String }
type Clip implements Node { id: ID! seconds: Int }
'''


def _valid_in(sdl: str, operation: str) -> None:
    errors = validate(build_schema(sdl), parse(operation))
    assert not errors, errors


def test_a_wider_type_in_the_subgraph_gets_a_fragment_on_the_supergraph_type() -> None:
    assert_plan(SUPERGRAPH, "{ fromB { cover { id url } } }", '''
        QueryPlan {
          Fetch(service: "b") {
            {
              fromB {
                cover {
                  ... on Photo {
                    id
                    url
                  }
                }
              }
            }
          },
        }''')
    fetch = plan_for(SUPERGRAPH, "{ fromB { cover { id url } } }").node
    _valid_in(SUBGRAPH_B, fetch.operation)  # type: ignore[union-attr]


def test_a_narrower_type_in_the_subgraph_drops_the_fragments_it_cannot_hold() -> None:
    query = "{ fromA { pin { id ... on Clip { seconds } ... on Photo { url } } } }"
    assert_plan(SUPERGRAPH, query, '''
        QueryPlan {
          Fetch(service: "a") {
            {
              fromA {
                pin {
                  __typename
                  id
                  url
                }
              }
            }
          },
        }''')
    _valid_in(SUBGRAPH_A, plan_for(SUPERGRAPH, query).node.operation)  # type: ignore[union-attr]


def test_the_same_field_in_the_subgraph_with_the_supergraph_type_keeps_every_fragment() -> None:
    query = "{ fromB { pin { id ... on Clip { seconds } ... on Photo { url } } } }"
    operation = plan_for(SUPERGRAPH, query).node.operation  # type: ignore[union-attr]
    assert "... on Clip{seconds}" in operation
    assert "... on Photo{url}" in operation
    _valid_in(SUBGRAPH_B, operation)
