"""Interfaces and unions whose members differ between subgraphs."""

from __future__ import annotations

from tests.gateway.harness import assert_plan
from tests.gateway.planning.schemas import ABSTRACT


def test_interface_fields_local_and_concrete_fields_by_entity_jump() -> None:
    assert_plan(ABSTRACT, "{ media { title ... on Book { pages } ... on Movie { duration } } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                media {
                  __typename
                  title
                  ... on Book {
                    __typename
                    id
                  }
                  ... on Movie {
                    duration
                  }
                }
              }
            },
            Flatten(path: "media.@") {
              Fetch(service: "b") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    pages
                  }
                }
              },
            },
          },
        }''')


def test_type_conditions_only_for_members_the_subgraph_knows() -> None:
    # b's Result union has only Book: the Movie fragment is never sent to b
    assert_plan(ABSTRACT, "{ search { ... on Book { title } ... on Movie { duration } } }", '''
        QueryPlan {
          Fetch(service: "b") {
            {
              search {
                __typename
                ... on Book {
                  title
                }
              }
            }
          },
        }''')
