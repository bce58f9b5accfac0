"""Entity jumps through @key: simple, compound and nested keys, several keys, resolvable: false."""

from __future__ import annotations

import pytest

from gateway.errors import PlanningError
from tests.gateway.harness import assert_plan, plan_for
from tests.gateway.planning.schemas import BENCHMARK, KEYS


def test_entity_jump_sends_the_key_and_typename_then_fetches_through_entities() -> None:
    assert_plan(BENCHMARK, "{ topProducts { name reviews { body } } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  name
                  __typename
                  upc
                }
              }
            },
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
                    reviews {
                      body
                    }
                  }
                }
              },
            },
          },
        }''')


def test_each_subgraph_is_reached_through_its_own_key_in_parallel() -> None:
    # b knows shipments by the compound key "id carrier { code }", c only by "trackingNumber"
    assert_plan(KEYS, "{ shipments { status eta } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                shipments {
                  __typename
                  id
                  carrier {
                    code
                  }
                  trackingNumber
                }
              }
            },
            Parallel {
              Flatten(path: "shipments.@") {
                Fetch(service: "b") {
                  {
                    ... on Shipment {
                      __typename
                      id
                      carrier {
                        code
                      }
                    }
                  } =>
                  {
                    ... on Shipment {
                      status
                    }
                  }
                },
              },
              Flatten(path: "shipments.@") {
                Fetch(service: "c") {
                  {
                    ... on Shipment {
                      __typename
                      trackingNumber
                    }
                  } =>
                  {
                    ... on Shipment {
                      eta
                    }
                  }
                },
              },
            },
          },
        }''')


def test_a_non_resolvable_key_is_a_reference_only_and_never_a_fetch_target() -> None:
    # b may return Warehouse references (resolvable: false) but cannot be asked for one
    assert_plan(KEYS, "{ shipments { warehouse { name dock } } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                shipments {
                  __typename
                  id
                  carrier {
                    code
                  }
                }
              }
            },
            Flatten(path: "shipments.@") {
              Fetch(service: "b") {
                {
                  ... on Shipment {
                    __typename
                    id
                    carrier {
                      code
                    }
                  }
                } =>
                {
                  ... on Shipment {
                    warehouse {
                      __typename
                      id
                      dock
                    }
                  }
                }
              },
            },
            Flatten(path: "shipments.@.warehouse") {
              Fetch(service: "a") {
                {
                  ... on Warehouse {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Warehouse {
                    name
                  }
                }
              },
            },
          },
        }''')
    with pytest.raises(PlanningError, match=r"Warehouse\.dock"):
        plan_for(KEYS, "{ warehouse(id: 1) { dock } }")


def test_provides_lets_the_providing_subgraph_answer_an_external_field() -> None:
    # Review.author @provides(fields: "username") in reviews: no accounts fetch for username
    plan = plan_for(BENCHMARK, "{ topProducts { reviews { author { username } } } }")
    assert plan.fetch_count == 2
    plan = plan_for(BENCHMARK, "{ topProducts { reviews { author { username name } } } }")
    assert plan.fetch_count == 3
