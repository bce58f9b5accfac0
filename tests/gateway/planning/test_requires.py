"""@requires: required fields fetched first and sent in the representation; chains and loops."""

from __future__ import annotations

from typing import Any

from gateway.execution.merge import representation
from gateway.planning.plan import FlattenNode, PlanNode, format_plan
from tests.gateway.harness import assert_plan, plan_for
from tests.gateway.planning.schemas import BENCHMARK, REQUIRES, REQUIRES_FRAGMENTS


def test_requires_adds_the_required_fields_to_the_source_fetch_and_the_representation() -> None:
    assert_plan(BENCHMARK, "{ topProducts { shippingEstimate } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  __typename
                  upc
                  price
                  weight
                }
              }
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    upc
                    price
                    weight
                  }
                } =>
                {
                  ... on Product {
                    shippingEstimate
                  }
                }
              },
            },
          },
        }''')


def test_a_requires_chain_runs_in_dependency_order() -> None:
    # c.total requires subtotal, which b computes from a's price
    assert_plan(REQUIRES, "{ order { total } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                order {
                  __typename
                  id
                  price
                }
              }
            },
            Flatten(path: "order") {
              Fetch(service: "b") {
                {
                  ... on Order {
                    __typename
                    id
                    price
                  }
                } =>
                {
                  ... on Order {
                    subtotal
                  }
                }
              },
            },
            Flatten(path: "order") {
              Fetch(service: "c") {
                {
                  ... on Order {
                    __typename
                    id
                    subtotal
                  }
                } =>
                {
                  ... on Order {
                    total
                  }
                }
              },
            },
          },
        }''')


def test_requires_that_loop_between_subgraphs_go_back_to_the_first_subgraph() -> None:
    # a.x requires b.y, and b.y requires a.z: a -> b -> a again (the second a fetch cannot be merged into
    # the first, which would create a cycle)
    assert_plan(REQUIRES, "{ thing { x } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                thing {
                  __typename
                  id
                  z
                }
              }
            },
            Flatten(path: "thing") {
              Fetch(service: "b") {
                {
                  ... on Thing {
                    __typename
                    id
                    z
                  }
                } =>
                {
                  ... on Thing {
                    y
                  }
                }
              },
            },
            Flatten(path: "thing") {
              Fetch(service: "a") {
                {
                  ... on Thing {
                    __typename
                    id
                    y
                  }
                } =>
                {
                  ... on Thing {
                    x
                  }
                }
              },
            },
          },
        }''')


def test_nested_requires_selection_and_independent_requires_run_in_parallel() -> None:
    assert_plan(REQUIRES, "{ order { freight subtotal } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                order {
                  __typename
                  id
                  size {
                    weight
                  }
                  price
                }
              }
            },
            Parallel {
              Flatten(path: "order") {
                Fetch(service: "c") {
                  {
                    ... on Order {
                      __typename
                      id
                      size {
                        weight
                      }
                    }
                  } =>
                  {
                    ... on Order {
                      freight
                    }
                  }
                },
              },
              Flatten(path: "order") {
                Fetch(service: "b") {
                  {
                    ... on Order {
                      __typename
                      id
                      price
                    }
                  } =>
                  {
                    ... on Order {
                      subtotal
                    }
                  }
                },
              },
            },
          },
        }''')


def test_requires_fetch_waits_for_the_sibling_fetch_that_provides_its_fields() -> None:
    # inventory needs price/weight from products, which are fetched by entity at the same path
    plan = plan_for(BENCHMARK, "{ users { reviews { product { shippingEstimate } } } }")
    text_order = ["accounts", "reviews", "products", "inventory"]
    text = format_plan(plan)
    positions = [text.index(f'service: "{name}"') for name in text_order]
    assert positions == sorted(positions)
    assert plan.fetch_count == 4


def _flattens(node: PlanNode | None) -> list[FlattenNode]:
    if node is None:
        return []
    if isinstance(node, FlattenNode):
        return [node]
    children = getattr(node, "nodes", None)
    if children is not None:
        return [f for child in children for f in _flattens(child)]
    return []


def test_requires_with_inline_fragments_fetches_the_fragment_fields_and_sends_them() -> None:
    plan = plan_for(REQUIRES_FRAGMENTS, "{ items { id summary label } }")
    (flatten,) = _flattens(plan.node)
    assert flatten.node.service_name == "b"
    text = format_plan(plan)
    source = text[:text.index("Flatten")]
    for fetched in ("pages", "minutes", "title", "__typename"):
        assert fetched in source, f"{fetched} is not fetched before the requires fetch"
    requires = flatten.node.requires
    book: dict[str, Any] = {"__typename": "Item", "id": "1",
                            "details": {"__typename": "Book", "pages": 320, "title": "Dune"}}
    film: dict[str, Any] = {"__typename": "Item", "id": "2",
                            "details": {"__typename": "Film", "minutes": 95, "title": "Alien"}}
    assert representation(book, requires) == {"__typename": "Item", "id": "1",
                                              "details": {"pages": 320, "title": "Dune"}}
    assert representation(film, requires) == {"__typename": "Item", "id": "2",
                                              "details": {"minutes": 95, "title": "Alien"}}
    # a null union value is carried as null, not dropped
    assert representation({"__typename": "Item", "id": "3", "details": None}, requires) == {
        "__typename": "Item", "id": "3", "details": None}
