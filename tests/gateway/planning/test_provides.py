"""@provides: provided fields stay in the providing fetch; what it does not cover comes through a key."""

from __future__ import annotations

from tests.gateway.harness import assert_plan
from tests.gateway.planning.schemas import PROVIDES_PARTIAL


def test_a_fully_provided_nested_selection_needs_no_entity_fetch() -> None:
    assert_plan(PROVIDES_PARTIAL, "{ feed { author { name address { city geo { lat } } } } }", '''
        QueryPlan {
          Fetch(service: "posts") {
            {
              feed {
                author {
                  name
                  address {
                    city
                    geo {
                      lat
                    }
                  }
                }
              }
            }
          },
        }''')


def test_a_partly_provided_value_type_is_fetched_through_the_parent_entity_key() -> None:
    # Address is no entity: street cannot be fetched on its own, so address comes from users through User.id
    assert_plan(PROVIDES_PARTIAL, "{ feed { author { name email address { city street } } } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "posts") {
              {
                feed {
                  author {
                    name
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "feed.@.author") {
              Fetch(service: "users") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    email
                    address {
                      city
                      street
                    }
                  }
                }
              },
            },
          },
        }''')


def test_a_field_missing_deep_below_the_provided_selection_moves_the_whole_branch() -> None:
    assert_plan(PROVIDES_PARTIAL, "{ feed { title author { address { geo { lat lng } } } } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "posts") {
              {
                feed {
                  title
                  author {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "feed.@.author") {
              Fetch(service: "users") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    address {
                      geo {
                        lat
                        lng
                      }
                    }
                  }
                }
              },
            },
          },
        }''')
