"""Federation 1 (join v0.1, @join__owner, extend type) and join v0.5 (@interfaceObject) supergraphs."""

from __future__ import annotations

from gateway.planning.plan import FlattenNode, SequenceNode
from tests.gateway.harness import assert_plan, plan_for
from tests.gateway.planning.schemas import FED1, V05


def test_federation_1_owner_and_extended_query_type() -> None:
    assert_plan(FED1, "{ me { name reviews { body author { username name } } } topReviews { body } }", '''
        QueryPlan {
          Parallel {
            Sequence {
              Fetch(service: "accounts") {
                {
                  me {
                    name
                    __typename
                    id
                  }
                }
              },
              Flatten(path: "me") {
                Fetch(service: "reviews") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      reviews {
                        body
                        author {
                          username
                          __typename
                          id
                        }
                      }
                    }
                  }
                },
              },
              Flatten(path: "me.reviews.@.author") {
                Fetch(service: "accounts") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      name
                    }
                  }
                },
              },
            },
            Fetch(service: "reviews") {
              {
                topReviews {
                  body
                }
              }
            },
          },
        }''')


def test_interface_object_fields_are_fetched_with_the_interface_as_typename() -> None:
    plan = plan_for(V05, "{ accounts { name riskScore } }")
    assert isinstance(plan.node, SequenceNode)
    flatten = plan.node.nodes[1]
    assert isinstance(flatten, FlattenNode)
    assert flatten.node.service_name == "b"
    assert "...on Account{riskScore}" in flatten.node.operation
    assert {f.type_condition for f in flatten.node.requires} == {"Company", "Person"}
    assert {f.typename_as for f in flatten.node.requires} == {"Account"}


def test_concrete_type_behind_an_interface_object_comes_from_a_follow_up_fetch() -> None:
    assert_plan(V05, "{ riskiest { riskScore name __typename ... on Person { hobby } } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "b") {
              {
                riskiest {
                  __typename
                  riskScore
                  id
                }
              }
            },
            Flatten(path: "riskiest") {
              Fetch(service: "a") {
                {
                  ... on Account {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Account {
                    name
                    __typename
                    ... on Person {
                      hobby
                    }
                  }
                }
              },
            },
          },
        }''')
