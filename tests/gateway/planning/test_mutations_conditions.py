"""Mutations keep their order (one subgraph call per run of fields); @skip/@include become conditions."""

from __future__ import annotations

from tests.gateway.harness import assert_plan
from tests.gateway.planning.schemas import BENCHMARK, MUTATIONS


def test_mutation_fields_run_in_order_with_their_entity_fetches_before_the_next_field() -> None:
    assert_plan(MUTATIONS, 'mutation { a: addUser(name: "x") { id posts { title } } addPost(title: "t") { id } '
                           'deleteUser(id: 1) }', '''
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              mutation {
                a: addUser(name: "x") {
                  id
                  __typename
                }
              }
            },
            Flatten(path: "a") {
              Fetch(service: "b") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    posts {
                      title
                    }
                  }
                }
              },
            },
            Fetch(service: "b") {
              mutation {
                addPost(title: "t") {
                  id
                }
              }
            },
            Fetch(service: "a") {
              mutation {
                deleteUser(id: 1)
              }
            },
          },
        }''')


def test_include_on_a_field_from_another_subgraph_becomes_a_condition_node() -> None:
    assert_plan(BENCHMARK, "query($withReviews: Boolean!, $skipPrice: Boolean = false) { topProducts { name "
                           "price @skip(if: $skipPrice) reviews @include(if: $withReviews) { body } } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  name
                  price @skip(if: $skipPrice)
                  __typename
                  upc
                }
              }
            },
            Include(if: $withReviews) {
              Flatten(path: "topProducts.@") {
                Fetch(service: "reviews") {
                  {
                    ... on Product {
                      __typename
                      upc
                    }
                  } =>
                  {
                    ... on Product {
                      reviews @include(if: $withReviews) {
                        body
                      }
                    }
                  }
                },
              },
            },
          },
        }''')
